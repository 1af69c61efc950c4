// Starts and stops the embedded PostgreSQL as the test setup does, then lets the event loop drain with
// process.exitCode = <code>: the process must exit with that code (the library's exit hooks once turned every such
// exit into 0, so a failed `vitest run` on the embedded PostgreSQL passed CI, and then into 1). argv: data folder, code
const { join } = require('node:path');
const { startEmbeddedPostgres } = require(join(__dirname, '../../../dist/src/database/embedded-postgres.js'));

(async () => {
  const pg = await startEmbeddedPostgres({ databaseDir: process.argv[2], fastUnsafe: true });
  await pg.stop();
  process.exitCode = Number(process.argv[3]);
})();
