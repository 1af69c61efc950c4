import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// SQL lives in repositories and migrations (docs/STYLE, docs/decisions/0011): a statement anywhere else fails here,
// listing file, line and the start of the text. Allowed, besides *.repository.ts and migrations/ (outside src/):
const ALLOWED: { pattern: RegExp; why: string }[] = [
  { pattern: /\.repository\.ts$/, why: 'repositories' },
  // The layer itself: transactions and savepoints, the health ping, creating the database and the migration runner.
  { pattern: /^src\/database\//, why: 'the database layer' },
  // Unit specs are tests, not the service (none holds SQL today; the integration tests are outside src/).
  { pattern: /\.spec\.ts$/, why: 'tests' },
];

// Upper-case SQL only: prose in log lines and errors ("could not select …") is lower case by our style.
const SQL_PATTERNS: RegExp[] = [
  /\bSELECT\b[\s\S]*(\bFROM\b|\d|\$\d|\w+\()/,
  /\bINSERT\s+INTO\b/,
  /\bUPDATE\s+[\w."]+\s+(\w+\s+)?SET\b/,
  /\bDELETE\s+FROM\b/,
  /\b(CREATE|ALTER|DROP)\s+(TABLE|INDEX|SCHEMA|DATABASE|EXTENSION|TYPE|FUNCTION|VIEW|TRIGGER)\b/,
  /\bTRUNCATE\s+\w/,
  /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE\s+SAVEPOINT|LISTEN|UNLISTEN|NOTIFY|SET\s+(LOCAL\s+)?\w+\s*(=|TO)|SHOW\s+\w|VACUUM|ANALYZE|LOCK\s+TABLE|WITH\s+\w+\s+AS\s*\()/,
  /\bpg_(notify|advisory_\w+|try_advisory_\w+|sleep|terminate_backend|cancel_backend)\s*\(/,
];

export function looksLikeSql(text: string): boolean {
  return SQL_PATTERNS.some((p) => p.test(text));
}

/** Every string literal and template part in a TypeScript source, with its line. */
function stringsOf(file: string, source: string): { line: number; text: string }[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: { line: number; text: string }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      found.push({ line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.text });
    } else if (ts.isTemplateExpression(node)) {
      // Judge the template as written, with each substitution as a placeholder: `LISTEN ${CHANNEL}` is SQL.
      const text = node.head.text + node.templateSpans.map((s) => `\${x}${s.literal.text}`).join('');
      found.push({ line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

const ROOT = join(__dirname, '..', '..');

describe('architecture: SQL only in repositories, migrations and the database layer', () => {
  it('the detector knows SQL from prose', () => {
    for (const sql of [
      `SELECT id FROM tds.events WHERE id = $1`,
      `SELECT 1`,
      `  INSERT INTO tds.workers (worker_id) VALUES ($1)`,
      `UPDATE tds.events e SET status = 'pending'`,
      `DELETE FROM tds.workers WHERE true`,
      `LISTEN \${x}`,
      `BEGIN; SET LOCAL synchronous_commit = off`,
      `SAVEPOINT batch`,
      `SELECT pg_notify('tds_events', '')`,
      `WITH f AS (SELECT * FROM unnest($1::bigint[]))`,
    ]) {
      expect(looksLikeSql(sql), sql).toBe(true);
    }
    for (const prose of [
      'worker started: 2 loop(s), batch 100',
      'could not select a worker',
      'the stored record is not a JSON object',
      'Set DATABASE_URL to an existing PostgreSQL',
      'tds-core:listen',
      'batch',
    ]) {
      expect(looksLikeSql(prose), prose).toBe(false);
    }
  });

  it('no SQL in src/ outside the allowed places', () => {
    const offenders: string[] = [];
    for (const path of sourceFiles(join(ROOT, 'src'))) {
      const rel = relative(ROOT, path).split(sep).join('/');
      if (ALLOWED.some((a) => a.pattern.test(rel))) continue;
      for (const { line, text } of stringsOf(rel, readFileSync(path, 'utf8'))) {
        if (looksLikeSql(text)) offenders.push(`${rel}:${line}: ${text.trim().replace(/\s+/g, ' ').slice(0, 80)}`);
      }
    }
    expect(offenders, `SQL outside repositories and migrations:\n${offenders.join('\n')}`).toEqual([]);
  });
});
