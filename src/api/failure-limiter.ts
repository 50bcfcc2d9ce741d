/**
 * Counts failures per key (an account name, a client address) in a sliding window and says how long a key
 * must wait once it has too many: for sign-in, against password guessing. In memory, per process, with a
 * bounded number of keys (the oldest go first), so a flood of distinct keys cannot grow it without end.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly o: { max: number; windowMs: number; maxKeys?: number }) {}

  /** Seconds until `key` may try again, or 0 when it may now. */
  retryAfter(key: string, now = Date.now()): number {
    const recent = this.recent(key, now);
    if (recent.length < this.o.max) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.o.windowMs - now) / 1000));
  }

  fail(key: string, now = Date.now()): void {
    const recent = this.recent(key, now);
    recent.push(now);
    this.failures.delete(key);
    this.failures.set(key, recent);
    const maxKeys = this.o.maxKeys ?? 10_000;
    while (this.failures.size > maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => now - t < this.o.windowMs);
  }
}
