/**
 * One read shared by every caller for `ttlMs` after it started, and by every caller while it is still running
 * (however long it takes). For dashboard figures that count a part of the queue whose size the load decides (the
 * backlog, a day of events): an operator's screens, several operators, and the routes that show the same figures
 * cause one count per `ttlMs`, not one per request (issue 15: five routes polled every second took a quarter of a
 * core of PostgreSQL during a 100,000-event drain).
 * A failed read is not kept: the next caller reads again. `ttlMs = 0` reads on every call (tests).
 */
export class SharedRead<T> {
  private last: { at: number; value: Promise<T>; running: boolean } | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly read: () => Promise<T>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The shared read: `at` is when it started, `value` its result. */
  get(): { at: number; value: Promise<T> } {
    const now = this.now();
    const last = this.last;
    // (a clock that went back is not trusted: read again)
    if (last && this.ttlMs > 0 && (last.running || (now >= last.at && now - last.at < this.ttlMs))) return last;
    const entry = { at: now, value: this.read(), running: true };
    this.last = entry;
    entry.value.then(
      () => (entry.running = false),
      () => {
        entry.running = false;
        if (this.last === entry) this.last = undefined;
      },
    );
    return entry;
  }
}
