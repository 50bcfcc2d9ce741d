import type { PlanStep } from '../../plan/plan-types.ts';
import type { Reporter, StepResult } from '../../engine/reporter.ts';

/**
 * A live view for terminals: finished steps stay on screen, the running step shows its elapsed time
 * and latest log line, redrawn in place four times a second.
 */
export function ttyReporter(stream: NodeJS.WriteStream): Reporter & { stop(): void } {
  let current: { step: PlanStep; started: number; line: string } | undefined;
  let drawn = false;
  const width = () => Math.max(40, (stream.columns || 100) - 1);
  const clear = () => { if (drawn) stream.write('\x1b[2K\r'); drawn = false; };
  const draw = () => {
    if (!current) return;
    clear();
    const secs = ((performance.now() - current.started) / 1000).toFixed(0).padStart(4);
    stream.write(`\x1b[36m${spinner()}\x1b[0m ${current.step.title} ${secs}s  \x1b[2m${current.line}\x1b[0m`.slice(0, width() + 13));
    drawn = true;
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  const mark = (r: StepResult) => (r.status === 'failed' ? '\x1b[31m✗\x1b[0m' : r.status === 'built' ? '\x1b[32m✓\x1b[0m' : '\x1b[2m·\x1b[0m');
  return {
    onPhase: (p, d) => { clear(); stream.write(`\x1b[1m${p}\x1b[0m${d ? ` ${d}` : ''}\n`); },
    onStepStart: (step) => { current = { step, started: performance.now(), line: '' }; draw(); },
    onStepLog: (_s, line) => { if (current) current.line = line.replace(/\s+/g, ' ').slice(0, 80); },
    onStepEnd: (s, r) => {
      clear();
      current = undefined;
      const time = r.status === 'built' || r.status === 'failed' ? ` ${r.seconds.toFixed(1)}s` : ` (${r.status})`;
      stream.write(`${mark(r)} ${s.title}${time}\n`);
    },
    stop: () => { clearInterval(timer); clear(); },
  };
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
let frame = 0;
function spinner(): string {
  return frames[frame++ % frames.length]!;
}
