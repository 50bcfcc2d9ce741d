import type { PlanStep } from '../plan/plan-types.ts';

export type StepStatus = 'cached' | 'built' | 'failed' | 'skipped';

export interface StepResult {
  id: string;
  stage: string;
  title: string;
  status: StepStatus;
  seconds: number;
  error?: string;
}

/** Optional hooks to watch a build (terminal view, JSON lines, log file, job store). */
export interface Reporter {
  onPhase?(phase: string, detail?: string): void;
  onStepStart?(step: PlanStep): void;
  onStepLog?(step: PlanStep, line: string): void;
  onStepEnd?(step: PlanStep, result: StepResult): void;
}

/** Fans every event out to several reporters. */
export function combineReporters(...reporters: Array<Reporter | undefined>): Reporter {
  const rs = reporters.filter((r): r is Reporter => !!r);
  return {
    onPhase: (p, d) => rs.forEach((r) => r.onPhase?.(p, d)),
    onStepStart: (s) => rs.forEach((r) => r.onStepStart?.(s)),
    onStepLog: (s, l) => rs.forEach((r) => r.onStepLog?.(s, l)),
    onStepEnd: (s, res) => rs.forEach((r) => r.onStepEnd?.(s, res)),
  };
}
