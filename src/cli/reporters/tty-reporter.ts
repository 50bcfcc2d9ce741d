import type { PlanStep } from '../../plan/plan-types.ts';
import type { Reporter, StepResult } from '../../engine/reporter.ts';

interface Running { step: PlanStep; started: number; line: string }

/**
 * A live view for terminals: finished steps stay on screen; below them, one line per running step
 * with its elapsed time and latest log line, redrawn in place four times a second.
 */
export function ttyReporter(stream: NodeJS.WriteStream): Reporter & { stop(): void } {
  const running = new Map<string, Running>();
  let drawn = 0;
  let frame = 0;
  const width = () => Math.max(40, (stream.columns || 100) - 1);
  const clear = () => {
    for (let i = 0; i < drawn; i++) stream.write('\x1b[1A\x1b[2K');
    stream.write('\r');
    drawn = 0;
  };
  const draw = () => {
    clear();
    const spin = frames[frame++ % frames.length];
    for (const r of running.values()) {
      const secs = ((performance.now() - r.started) / 1000).toFixed(0).padStart(4);
      const text = `${spin} ${r.step.title} ${secs}s  ${r.line}`.slice(0, width());
      stream.write(`\x1b[36m${text.slice(0, 1)}\x1b[0m${text.slice(1)}\n`);
      drawn++;
    }
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  const mark = (r: StepResult) => (r.status === 'failed' ? '\x1b[31m✗\x1b[0m' : r.status === 'built' ? '\x1b[32m✓\x1b[0m' : '\x1b[2m·\x1b[0m');
  return {
    onPhase: (p, d) => { clear(); stream.write(`\x1b[1m${p}\x1b[0m${d ? ` ${d}` : ''}\n`); draw(); },
    onStepStart: (step) => { running.set(step.id, { step, started: performance.now(), line: '' }); draw(); },
    onStepLog: (s, line) => { const r = running.get(s.id); if (r) r.line = line.replace(/\s+/g, ' ').slice(0, 80); },
    onStepEnd: (s, r) => {
      clear();
      running.delete(s.id);
      const time = r.status === 'built' || r.status === 'failed' ? ` ${r.seconds.toFixed(1)}s` : ` (${r.status})`;
      stream.write(`${mark(r)} ${s.title}${time}${r.error ? `  \x1b[31m${r.error.split('\n')[0]}\x1b[0m` : ''}\n`);
      draw();
    },
    stop: () => { clearInterval(timer); clear(); },
  };
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
