/**
 * Queue throughput: no-op jobs per second with 1 and 4 workers, on PostgreSQL (and SQLite for reference).
 * Workers are concurrent claim loops in this process, each on its own database connection, running the
 * real Worker (claim, state events, finish). Usage:
 *   HERD_TEST_POSTGRES_URL=postgres://herd:herd@127.0.0.1:5432/herd_test npx tsx bench/queue.ts [--jobs 1000]
 */
import { SqlQueue } from '../src/queue/sql-queue.ts';
import { type TestHandle, testDatabases } from '../src/store/test-databases.ts';
import { Worker } from '../src/worker/worker.ts';

const jobsArg = process.argv.indexOf('--jobs');
const JOBS = jobsArg > 0 ? Number(process.argv[jobsArg + 1]) : 1000;

async function succeeded(h: TestHandle, kind: string): Promise<number> {
  const row = await h.db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n'))
    .where('kind', '=', kind).where('state', '=', 'succeeded').executeTakeFirstOrThrow();
  return Number(row.n);
}

async function drain(h: TestHandle, workers: number): Promise<number> {
  const q = new SqlQueue(h);
  const kind = `bench-${workers}`;
  for (let i = 0; i < JOBS; i++) await q.enqueue(kind, { v: 1 });
  const pool = Array.from({ length: workers }, (_, i) => new Worker({ queue: q, handlers: { [kind]: async () => null }, id: `w${i}`, pollMs: 5 }));
  const t0 = performance.now();
  for (const w of pool) w.start();
  while (await succeeded(h, kind) < JOBS) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(pool.map((w) => w.stop()));
  return JOBS / seconds;
}

console.log(`queue bench: ${JOBS} no-op jobs per run, node ${process.version}`);
console.log('| database | 1 worker (jobs/s) | 4 workers (jobs/s) | scaling |');
console.log('|---|---|---|---|');
for (const target of testDatabases) {
  if (target.skip) { console.log(`| ${target.name} | skipped: ${target.skip} | | |`); continue; }
  const h = await target.open({ poolSize: 8 });
  try {
    const one = await drain(h, 1);
    const four = await drain(h, 4);
    console.log(`| ${target.name} | ${one.toFixed(0)} | ${four.toFixed(0)} | ${(four / one).toFixed(2)}x |`);
  } finally {
    await h.close();
  }
}
