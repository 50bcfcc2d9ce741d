import { Label } from '@patternfly/react-core';

/** How each review state reads, and its colour: one table for the list and the template page. */
const STATES = {
  checking: { text: 'Checking', color: 'blue' },
  check_failed: { text: 'Check failed', color: 'red' },
  in_review: { text: 'In review', color: 'purple' },
  approved: { text: 'Approved', color: 'green' },
  changes_requested: { text: 'Changes requested', color: 'orange' },
} as const;

const CHECKS = {
  pending: { text: 'Check queued', color: 'grey' },
  running: { text: 'Check running', color: 'blue' },
  passed: { text: 'Check passed', color: 'green' },
  failed: { text: 'Check failed', color: 'red' },
} as const;

export type TemplateState = keyof typeof STATES;
export type CheckState = keyof typeof CHECKS;

export function StateLabel({ state }: { state: string }) {
  const s = STATES[state as TemplateState] ?? { text: state, color: 'grey' as const };
  return <Label color={s.color} isCompact data-testid="template-state" data-state={state}>{s.text}</Label>;
}

export function CheckLabel({ state }: { state: string }) {
  const s = CHECKS[state as CheckState] ?? { text: state, color: 'grey' as const };
  return <Label color={s.color} isCompact variant="outline" data-testid="check-state" data-state={state}>{s.text}</Label>;
}

/** "sha256:0123456789ab": enough of a digest to tell revisions apart; the full one is in the title. */
export function ShortDigest({ digest }: { digest: string }) {
  return <code title={digest} className="herd-mono">{digest.slice(0, 12)}</code>;
}

/** An author as people know them: a token's name without the `token:` its actor name carries. */
export function personOf(actor: string): string {
  return actor.replace(/^token:/, '');
}
