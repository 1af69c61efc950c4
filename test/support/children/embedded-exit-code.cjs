// Starts and stops the embedded PostgreSQL as the test setup does, then lets the event loop drain with
// process.exitCode = 3: the process must exit 3 (a library hook once turned every such exit into 0, so a failed
// `vitest run` on the embedded PostgreSQL passed CI). argv: data folder
const { join } = require('node:path');
const { startEmbeddedPostgres } = require(join(__dirname, '../../../dist/src/database/embedded-postgres.js'));

(async () => {
  const pg = await startEmbeddedPostgres({ databaseDir: process.argv[2], fastUnsafe: true });
  await pg.stop();
  process.exitCode = 3;
})();
