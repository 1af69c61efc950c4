// Child process: a low-rate GET prober (autocannon, 1 connection) whose latencies are measured on an idle event loop.
import autocannon from 'autocannon';
import { digest } from './load.mjs';

process.once('message', ({ url, durationS, rate }) => {
  autocannon({ url, connections: 1, overallRate: rate, duration: durationS, timeout: 10 }, (err, result) => {
    if (err) process.send({ error: err.message }, () => process.exit(1));
    else process.send({ digest: digest(result) }, () => process.exit(0));
  });
});
