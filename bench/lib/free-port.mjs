// The benchmarks are plain Node programs (no TypeScript loader), and dist/ may be another build (BENCH_MAIN), so they
// keep this copy of src/common/net/free-port.ts rather than importing the compiled one.
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
