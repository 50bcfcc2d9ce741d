import type { Reporter } from '../../engine/reporter.ts';

/** One line per event: for logs, CI and any output that is not a terminal. */
export function plainReporter(write: (s: string) => void, verbose = false): Reporter {
  return {
    onPhase: (p, d) => write(`== ${p}${d ? `: ${d}` : ''}\n`),
    onStepStart: (s) => write(`>> ${s.title} [${s.stage} ${s.id.slice(0, 12)}]\n`),
    onStepLog: (s, l) => { if (verbose) write(`   ${l}\n`); },
    onStepEnd: (s, r) => write(`${r.status === 'failed' ? '!!' : '<<'} ${s.title}: ${r.status}${r.status === 'built' || r.status === 'failed' ? ` in ${r.seconds.toFixed(1)}s` : ''}${r.error ? ` (${r.error})` : ''}\n`),
  };
}

/** JSON lines, one object per event, for machines (`--json`). */
export function jsonReporter(write: (s: string) => void): Reporter {
  const emit = (o: object) => write(JSON.stringify({ time: new Date().toISOString(), ...o }) + '\n');
  return {
    onPhase: (phase, detail) => emit({ event: 'phase', phase, detail }),
    onStepStart: (s) => emit({ event: 'step-start', id: s.id, stage: s.stage, title: s.title }),
    onStepLog: (s, line) => emit({ event: 'log', id: s.id, line }),
    onStepEnd: (s, r) => emit({ event: 'step-end', ...r }),
  };
}
