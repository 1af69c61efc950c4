import pino from 'pino';
import pretty from 'pino-pretty';
import type { AppConfig } from '../../config/app-config';

export type LogSettings = AppConfig['log'];
export type RootLogger = pino.Logger;

/**
 * The process's one pino logger: the launcher's lines, Nest's and the access log all go through it, so a start
 * prints one format from the first line to the last (JSON, or pretty single-line text for development).
 * Text is rendered in-process and synchronously: lines keep their order with the launcher's, and the last ones
 * before `process.exit()` are not lost in a transport thread.
 */
export function createRootLogger(settings: LogSettings, fd: 1 | 2 = 1): RootLogger {
  const options: pino.LoggerOptions = { level: settings.level };
  if (settings.format === 'text') {
    return pino(
      options,
      pretty({ singleLine: true, translateTime: 'SYS:HH:MM:ss.l', sync: true, ...(fd === 2 ? { destination: 2 } : {}) }),
    );
  }
  // fd 2: a command whose results go to stdout (src/cli/tds-cli.ts) logs to stderr.
  return fd === 2 ? pino(options, pino.destination({ fd: 2, sync: true })) : pino(options);
}

/**
 * The launcher's own lines (starting, database, listening, stopping, stopped). They are the record of the process's
 * life, so, as PostgreSQL's LOG lines, they print at any LOG_LEVEL except `silent`; LOG_LEVEL governs the rest.
 */
export function launcherLogger(root: RootLogger): RootLogger {
  const verbose = root.levelVal < root.levels.values.info;
  const level = root.isLevelEnabled('fatal') ? (verbose ? root.level : 'info') : 'silent';
  return root.child({ context: 'Launcher' }, { level });
}
