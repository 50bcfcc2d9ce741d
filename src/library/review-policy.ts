import { type Principal, type Role, roleAtLeast } from '../catalog/roles.ts';
import { AppError } from '../errors.ts';

/**
 * Who may review, revise and build a template, and when a template counts as approved. Pure: it decides
 * from the rows it is given (no store, no clock), so every rule is unit-tested without a database.
 */
export type CheckState = 'pending' | 'running' | 'passed' | 'failed';
export type Verdict = 'approve' | 'request_changes';
export type TemplateState = 'checking' | 'check_failed' | 'in_review' | 'approved' | 'changes_requested';

export interface PolicyRevision { id: string; number: number; digest: string; checkState: CheckState }
export interface PolicyReview { id: string; revisionId: string; reviewer: string; verdict: Verdict; createdAt: string; dismissedAt: string | null }
export interface PolicyTemplate { author: string; revisions: readonly PolicyRevision[]; reviews: readonly PolicyReview[] }
export interface Actor { name: string; role: Role }

export const REVIEWER_ROLE: Role = 'reviewer';

/**
 * The name a principal acts under in the library: an account's name, or `token:<name>` for an API token
 * (account names cannot hold a colon, so a token never passes for an account).
 */
export function actorOf(p: Principal): Actor {
  return { name: p.via === 'session' ? p.name : `token:${p.name}`, role: p.role };
}

/** One person behind an account and a token of the same name: no approving one's own template through either. */
function samePerson(a: string, b: string): boolean {
  return a.replace(/^token:/, '') === b.replace(/^token:/, '');
}

/** The revision reviews and builds are about: the newest one. */
export function currentRevision(t: PolicyTemplate): PolicyRevision | undefined {
  return t.revisions.reduce<PolicyRevision | undefined>((best, r) => (!best || r.number > best.number ? r : best), undefined);
}

/** Each reviewer's newest undismissed verdict on the current revision: a later verdict replaces their earlier one. */
function standingVerdicts(t: PolicyTemplate): Map<string, Verdict> {
  const current = currentRevision(t);
  const out = new Map<string, Verdict>();
  const mine = t.reviews.filter((r) => r.revisionId === current?.id && !r.dismissedAt && !samePerson(r.reviewer, t.author));
  for (const r of [...mine].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) out.set(r.reviewer, r.verdict);
  return out;
}

/**
 * checking / check_failed until the current revision's check passed; then approved when at least one
 * reviewer's standing verdict approves and none requests changes (a request is lifted by that reviewer's
 * later approval, or by a new revision); changes_requested when one does; otherwise in_review.
 */
export function templateState(t: PolicyTemplate): TemplateState {
  const current = currentRevision(t);
  if (!current || current.checkState === 'pending' || current.checkState === 'running') return 'checking';
  if (current.checkState === 'failed') return 'check_failed';
  const verdicts = [...standingVerdicts(t).values()];
  if (verdicts.includes('request_changes')) return 'changes_requested';
  return verdicts.includes('approve') ? 'approved' : 'in_review';
}

/** A review is allowed for a reviewer (not the author) on the current revision, named by its digest, once its check passed. */
export function checkReview(t: PolicyTemplate, who: Actor, digest: string): PolicyRevision {
  if (!roleAtLeast(who.role, REVIEWER_ROLE)) {
    throw new AppError('library.not_reviewer', `${who.name} has role ${who.role}; reviewing needs role ${REVIEWER_ROLE}`, { kind: 'forbidden', hint: 'ask an admin for the reviewer role' });
  }
  if (samePerson(who.name, t.author)) {
    throw new AppError('library.self_review', 'the author of a template cannot review it', { kind: 'forbidden', hint: 'ask another reviewer' });
  }
  const current = currentRevision(t);
  if (!current || current.digest !== digest) {
    throw new AppError('library.stale_revision', `the review names revision ${digest.slice(0, 12)}, but the current revision is ${current?.digest.slice(0, 12) ?? 'none'}`, {
      kind: 'conflict', hint: 'reload the template and review its current revision',
    });
  }
  if (current.checkState !== 'passed') {
    throw new AppError('library.not_reviewable', `revision ${current.number} cannot be reviewed: its check is ${current.checkState}`, {
      kind: 'conflict', hint: 'a revision is reviewable once its build, boot test and size budget passed',
    });
  }
  return current;
}

/** Only the author submits new revisions. */
export function checkRevise(t: PolicyTemplate, who: Actor): void {
  if (who.name !== t.author) {
    throw new AppError('library.not_author', `only the author (${t.author}) submits revisions of this template`, { kind: 'forbidden', hint: 'review it instead, or submit your own template' });
  }
}

/**
 * The author may run a failed check of the current revision (named by its digest) again, without a new
 * revision: the same text, so no review is affected (a revision whose check failed was never reviewable).
 */
export function checkRecheck(t: PolicyTemplate, who: Actor, digest: string): PolicyRevision {
  if (who.name !== t.author) {
    throw new AppError('library.not_author', `only the author (${t.author}) runs this template's check again`, { kind: 'forbidden', hint: 'review it instead, or submit your own template' });
  }
  const current = currentRevision(t);
  if (!current || current.digest !== digest) {
    throw new AppError('library.stale_revision', `the request names revision ${digest.slice(0, 12)}, but the current revision is ${current?.digest.slice(0, 12) ?? 'none'}`, {
      kind: 'conflict', hint: 'reload the template; only the current revision\'s check runs again',
    });
  }
  if (current.checkState !== 'failed') {
    throw new AppError('library.not_rerunnable', `revision ${current.number}'s check is ${current.checkState}; only a failed check runs again`, {
      kind: 'conflict', hint: 'wait for the check to end',
    });
  }
  return current;
}

/** Approvals a new revision dismisses: every undismissed approval of an earlier revision (approval binds to content). */
export function approvalsToDismiss(t: PolicyTemplate, newRevisionId: string): string[] {
  return t.reviews.filter((r) => r.revisionId !== newRevisionId && r.verdict === 'approve' && !r.dismissedAt).map((r) => r.id);
}

/** Building into an image from the portal needs an approved template; returns the revision to build. */
export function checkBuild(t: PolicyTemplate): PolicyRevision {
  const state = templateState(t);
  if (state !== 'approved') {
    throw new AppError('library.not_approved', `the template is ${state.replace('_', ' ')}, not approved`, {
      kind: 'conflict', hint: 'a reviewer (not the author) approves its current revision once the check passed',
    });
  }
  return currentRevision(t)!;
}
