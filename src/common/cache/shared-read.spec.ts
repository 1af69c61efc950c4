import { describe, expect, it } from 'vitest';
import { SharedRead } from './shared-read';

/** A read whose result the test settles, counting how often it was started. */
function reads() {
  const started: { resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  const read = () => new Promise<number>((resolve, reject) => started.push({ resolve, reject }));
  return { started, read };
}
const flush = () => new Promise((r) => setImmediate(r));

describe('SharedRead', () => {
  it('shares one read for ttl after it started, then reads again', async () => {
    let now = 1000;
    const { started, read } = reads();
    const shared = new SharedRead(2000, read, () => now);
    const a = shared.get();
    started[0].resolve(7);
    await flush();
    now = 2999;
    const b = shared.get();
    expect(b).toBe(a);
    expect(await b.value).toBe(7);
    expect(b.at).toBe(1000);
    expect(started).toHaveLength(1);
    now = 3000;
    const c = shared.get();
    expect(started).toHaveLength(2);
    expect(c.at).toBe(3000);
    started[1].resolve(8);
    expect(await c.value).toBe(8);
  });

  it('shares a read that is still running, however old', async () => {
    let now = 0;
    const { started, read } = reads();
    const shared = new SharedRead(100, read, () => now);
    const a = shared.get();
    now = 10_000;
    expect(shared.get()).toBe(a);
    expect(started).toHaveLength(1);
    started[0].resolve(1);
    await flush();
    expect(shared.get()).not.toBe(a);
    expect(started).toHaveLength(2);
  });

  it('does not keep a failed read: the next caller reads again', async () => {
    const now = 0;
    const { started, read } = reads();
    const shared = new SharedRead(60_000, read, () => now);
    const a = shared.get();
    started[0].reject(new Error('database unavailable'));
    await expect(a.value).rejects.toThrow('database unavailable');
    await flush();
    const b = shared.get();
    expect(b).not.toBe(a);
    expect(started).toHaveLength(2);
  });

  it('ttl 0 reads on every call, even while one is running', () => {
    const { started, read } = reads();
    const shared = new SharedRead(0, read, () => 5);
    shared.get();
    shared.get();
    expect(started).toHaveLength(2);
  });

  it('reads again when the clock went back', async () => {
    let now = 5000;
    const { started, read } = reads();
    const shared = new SharedRead(2000, read, () => now);
    shared.get();
    started[0].resolve(1);
    await flush();
    now = 4999;
    shared.get();
    expect(started).toHaveLength(2);
  });
});
