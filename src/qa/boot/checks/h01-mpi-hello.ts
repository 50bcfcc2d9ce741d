import type { BootCheck } from '../check.ts';
import { finding } from '../check.ts';

export interface MpiFacts {
  compile: { code: number; output: string };
  run: { code: number; output: string };
  ranks: number;
}

/** Each rank prints "herd-mpi-hello rank R of N"; every rank 0..N-1 must appear once, with the right N. */
export function evaluateMpiHello(f: MpiFacts) {
  const tail = (s: string) => s.trim().split('\n').slice(-4).join(' | ');
  if (f.compile.code !== 0) return [finding(`mpicc could not build the MPI hello (exit ${f.compile.code}): ${tail(f.compile.output)}`)];
  const out = [];
  if (f.run.code !== 0) out.push(finding(`mpirun -np ${f.ranks} failed (exit ${f.run.code}): ${tail(f.run.output)}`));
  const seen = [...f.run.output.matchAll(/herd-mpi-hello rank (\d+) of (\d+)/g)];
  for (let r = 0; r < f.ranks; r++) {
    const hits = seen.filter((m) => Number(m[1]) === r && Number(m[2]) === f.ranks).length;
    if (hits !== 1) out.push(finding(`rank ${r} of ${f.ranks} printed ${hits} times (want once)${out.length ? '' : `: ${tail(f.run.output)}`}`));
  }
  return out;
}

const HELLO_C = `#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv) {
  int rank, size;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  /* a collective, so the ranks really talk to each other */
  int sum = 0;
  MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  printf("herd-mpi-hello rank %d of %d (sum %d)\\n", rank, size, sum);
  MPI_Finalize();
  return 0;
}`;

export const mpiHello: BootCheck = {
  id: 'H1',
  title: 'an MPI hello compiled with mpicc runs on 2 ranks (mpirun) and every rank reports',
  async run({ sh }) {
    const ranks = 2;
    const dir = '/tmp/herd-qa-mpi';
    const compile = await sh(`mkdir -p ${dir} && cat > ${dir}/hello.c <<'EOF'\n${HELLO_C}\nEOF\nmpicc -O1 -o ${dir}/hello ${dir}/hello.c 2>&1`, 300_000);
    const run = compile.code === 0
      ? await sh(`cd ${dir} && timeout 300 mpirun --allow-run-as-root --oversubscribe -np ${ranks} ./hello 2>&1`, 330_000)
      : { code: -1, stdout: '' };
    return evaluateMpiHello({ compile: { code: compile.code, output: compile.stdout }, run: { code: run.code, output: run.stdout }, ranks });
  },
};
