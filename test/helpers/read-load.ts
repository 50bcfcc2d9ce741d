import { createHash } from 'node:crypto';
import http from 'node:http';

/** One kind of anonymous read: a path, optional headers, the status it must answer and a body check. */
export interface ReadTarget {
  name: string;
  path: string;
  headers?: Record<string, string>;
  status: number;
  /** Returns a problem, or undefined when the body is right; `reader` numbers the connection. */
  check?(body: Buffer, reader: number): string | undefined;
}

export interface ReadLoadResult {
  requests: number;
  /** Requests whose status or body was wrong, or that failed at the socket: the count must be 0. */
  errors: number;
  /** The first few problems, for the failure message. */
  problems: string[];
  seconds: number;
  perTarget: Record<string, { requests: number; p50: number; p99: number }>;
}

/**
 * Closed-loop anonymous readers against a running server: `readers` keep-alive connections, each sending
 * its next request (targets in turn) when the last one ends, until `until()` resolves. Bounded by design:
 * it stops by itself when `until` settles or `maxMs` passes, whichever is first.
 */
export async function runReadLoad(baseUrl: string, targets: ReadTarget[], o: { readers: number; until: Promise<unknown>; maxMs: number }): Promise<ReadLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.readers });
  const latencies = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  const problems: string[] = [];
  let errors = 0;
  let done = false;
  const stop = setTimeout(() => { done = true; }, o.maxMs);
  void o.until.finally(() => { done = true; });
  const started = performance.now();
  const one = (t: ReadTarget, reader: number) => new Promise<void>((resolve) => {
    const t0 = performance.now();
    const fail = (why: string) => { errors++; if (problems.length < 10) problems.push(`${t.name}: ${why}`); resolve(); };
    http.get(baseUrl + t.path, { agent, headers: t.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('error', (e) => fail(e.message));
      res.on('end', () => {
        if (res.statusCode !== t.status) return fail(`HTTP ${res.statusCode}, want ${t.status}`);
        const problem = t.check?.(Buffer.concat(chunks), reader);
        if (problem) return fail(problem);
        latencies.get(t.name)!.push(performance.now() - t0);
        resolve();
      });
    }).on('error', (e) => fail(e.message));
  });
  await Promise.all(Array.from({ length: o.readers }, async (_, i) => {
    for (let n = i; !done; n++) await one(targets[n % targets.length]!, i);
  }));
  clearTimeout(stop);
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  const perTarget: ReadLoadResult['perTarget'] = {};
  let requests = errors;
  for (const [name, l] of latencies) {
    l.sort((a, b) => a - b);
    const q = (p: number) => l[Math.min(l.length - 1, Math.floor(p * l.length))] ?? NaN;
    perTarget[name] = { requests: l.length, p50: q(0.5), p99: q(0.99) };
    requests += l.length;
  }
  return { requests, errors, problems, seconds, perTarget };
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * A feed body check that also refuses, per connection, a generation lower than one that connection
 * already saw: a reader polling one server must never be rolled back, even while publishes run.
 */
export function feedCheck(): (body: Buffer, reader: number) => string | undefined {
  const highest = new Map<number, number>();
  return (body, reader) => {
    let feed: { generation?: unknown };
    try { feed = JSON.parse(body.toString('utf8')); } catch { return 'feed is not JSON'; }
    if (typeof feed.generation !== 'number') return 'feed has no generation';
    const seen = highest.get(reader) ?? 0;
    if (feed.generation < seen) return `generation ${feed.generation} after ${seen}`;
    highest.set(reader, feed.generation);
    return undefined;
  };
}
