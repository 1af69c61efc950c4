// A process that fires one cron and runs its body under the singleton-job lock (the built dist/ code, as the
// service does). Used by test/integration/singleton-jobs.int-spec.ts with several copies at once.
// argv: databaseUrl job cron bodyMs [jitterMs: a random wait before taking the lock, as crons of several hosts fire]
const { join } = require('node:path');
const { Pool } = require('pg');
const { CronJob } = require('cron');
const dist = join(__dirname, '../../../dist/src/modules/scheduling');
const { SingletonJobRunner } = require(join(dist, 'singleton-job-runner.js'));
const { connectDedicated } = require(join(dist, '../../database/pg-connections.js'));
const { scheduledTimeOf } = require(join(dist, 'scheduled-time.js'));

const [url, job, cron, bodyMs, jitterMs = '0'] = process.argv.slice(2);
const holder = `child-${process.pid}`;
const pool = new Pool({ connectionString: url, max: 2 });
const runner = new SingletonJobRunner(() => connectDedicated({ url }, `tds-test:job:${process.pid}`), holder);
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

CronJob.from({
  cronTime: cron,
  start: true,
  onTick: async () => {
    const at = scheduledTimeOf(cron);
    await new Promise((r) => setTimeout(r, Math.random() * Number(jitterMs)));
    try {
      const result = await runner.run(job, at, async (signal) => {
        const { rows } = await pool.query(
          `INSERT INTO job_effects (holder, scheduled_at, started_at) VALUES ($1, $2, clock_timestamp()) RETURNING id`,
          [holder, at],
        );
        await sleep(Number(bodyMs), signal);
        await pool.query(`UPDATE job_effects SET finished_at = clock_timestamp() WHERE id = $1`, [rows[0].id]);
        return `slept ${bodyMs} ms`;
      });
      process.stdout.write(`${JSON.stringify({ at: at.toISOString(), ...result })}\n`);
    } catch (err) {
      process.stdout.write(`${JSON.stringify({ at: at.toISOString(), error: err.message })}\n`);
    }
  },
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => process.exit(0));
