// An operator's dashboard during a benchmark: admin routes fetched every `intervalMs` over keep-alive connections (as
// a browser keeps them), closed when stopped so the service can stop at once. /health may answer 503 by design (a
// failing check); any other non-2xx is reported.
import http from 'node:http';

export function startPoller({ baseUrl, paths, key, intervalMs = 1000, log = () => undefined }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: paths.length });
  let polled = 0;
  let failed = 0;
  let stopped = false; // requests cut by stop() are neither answers nor failures
  const get = (path) =>
    new Promise((resolve) => {
      const req = http.get(`${baseUrl}${path}`, { agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
        res.resume();
        res.on('end', () => {
          const ok = (res.statusCode >= 200 && res.statusCode < 300) || (path.startsWith('/health') && res.statusCode === 503);
          if (ok) polled++;
          else {
            failed++;
            log(`  poll ${path}: HTTP ${res.statusCode}`);
          }
          resolve();
        });
      });
      req.on('error', (err) => {
        if (stopped) return resolve();
        failed++;
        log(`  poll ${path}: ${err.message}`);
        resolve();
      });
    });
  const tick = () => {
    for (const path of paths) void get(path);
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    get polled() {
      return polled;
    },
    get failed() {
      return failed;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      agent.destroy();
    },
  };
}
