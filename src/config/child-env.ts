/**
 * The environment a child tool (pg_dump, pg_restore) runs with: this process's environment without any libpq
 * variable (a PGDATABASE or PGSERVICE set for something else must not redirect the tool), plus `extra`. The password
 * travels here (PGPASSWORD), never on the command line: `ps` shows arguments to every user, and logs print them.
 */
export function childEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
  return { ...inherited, ...extra };
}

/** Where a tool is looked for when PG_BIN_DIR is not set: this process's PATH. */
export function toolSearchPath(): string {
  return process.env.PATH ?? '';
}
