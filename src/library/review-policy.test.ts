import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actorOf, approvalsToDismiss, checkBuild, checkRecheck, checkReview, checkRevise, type PolicyReview, type PolicyRevision, type PolicyTemplate, templateState } from './review-policy.ts';

const rev = (n: number, checkState: PolicyRevision['checkState'] = 'passed'): PolicyRevision => ({ id: `r${n}`, number: n, digest: `d${n}`, checkState });
let clock = 0;
const review = (revisionId: string, reviewer: string, verdict: PolicyReview['verdict'], dismissedAt: string | null = null): PolicyReview =>
  ({ id: `v${++clock}`, revisionId, reviewer, verdict, createdAt: `2026-12-01T10:00:${String(clock).padStart(2, '0')}Z`, dismissedAt });
const tpl = (revisions: PolicyRevision[], reviews: PolicyReview[] = []): PolicyTemplate => ({ author: 'alice', revisions, reviews });
const bob = { name: 'bob', role: 'reviewer' as const };
const code = (c: string, kind: string) => (e: any) => e.code === c && e.kind === kind;

describe('review policy', () => {
  test('a template is checking, then check_failed or in_review, by its current revision\'s check', () => {
    assert.equal(templateState(tpl([])), 'checking');
    assert.equal(templateState(tpl([rev(1, 'pending')])), 'checking');
    assert.equal(templateState(tpl([rev(1, 'running')])), 'checking');
    assert.equal(templateState(tpl([rev(1, 'failed')])), 'check_failed');
    assert.equal(templateState(tpl([rev(2, 'failed'), rev(1, 'passed')])), 'check_failed', 'the newest revision counts, in any order');
    assert.equal(templateState(tpl([rev(1)])), 'in_review');
  });

  test('approved needs an undismissed approval of the current revision and no standing request for changes', () => {
    assert.equal(templateState(tpl([rev(1)], [review('r1', 'bob', 'approve')])), 'approved');
    assert.equal(templateState(tpl([rev(1)], [review('r1', 'bob', 'approve', '2026-12-02T00:00:00Z')])), 'in_review', 'dismissed');
    assert.equal(templateState(tpl([rev(1), rev(2)], [review('r1', 'bob', 'approve')])), 'in_review', 'an approval of an earlier revision does not carry over');
    assert.equal(templateState(tpl([rev(1)], [review('r1', 'bob', 'approve'), review('r1', 'bob', 'request_changes')])), 'changes_requested', 'a later request by the same reviewer');
    assert.equal(templateState(tpl([rev(1)], [review('r1', 'bob', 'request_changes'), review('r1', 'bob', 'approve')])), 'approved', 'lifted by that reviewer\'s later approval');
    assert.equal(templateState(tpl([rev(1)], [review('r1', 'carol', 'request_changes'), review('r1', 'bob', 'approve')])), 'changes_requested', 'another reviewer\'s request stands');
    assert.equal(templateState(tpl([rev(1), rev(2)], [review('r1', 'carol', 'request_changes')])), 'in_review', 'a request about an earlier revision');
    assert.equal(templateState(tpl([rev(1)], [review('r1', 'alice', 'approve'), review('r1', 'token:alice', 'approve')])), 'in_review', 'the author\'s own approvals never count');
  });

  test('a reviewer (never the author, by account or token) reviews the current revision by digest once its check passed', () => {
    assert.equal(checkReview(tpl([rev(1), rev(2)]), bob, 'd2').id, 'r2');
    assert.throws(() => checkReview(tpl([rev(1)]), { name: 'alice', role: 'admin' }, 'd1'), code('library.self_review', 'forbidden'));
    assert.throws(() => checkReview(tpl([rev(1)]), { name: 'token:alice', role: 'admin' }, 'd1'), code('library.self_review', 'forbidden'));
    assert.throws(() => checkReview(tpl([rev(1)]), { name: 'dave', role: 'contributor' }, 'd1'), code('library.not_reviewer', 'forbidden'));
    assert.throws(() => checkReview(tpl([rev(1), rev(2)]), bob, 'd1'), code('library.stale_revision', 'conflict'));
    assert.throws(() => checkReview(tpl([rev(1)]), bob, 'nope'), code('library.stale_revision', 'conflict'));
    for (const s of ['pending', 'running', 'failed'] as const) assert.throws(() => checkReview(tpl([rev(1, s)]), bob, 'd1'), code('library.not_reviewable', 'conflict'));
  });

  test('only the author revises; a new revision dismisses every earlier undismissed approval, not requests', () => {
    checkRevise(tpl([rev(1)]), { name: 'alice', role: 'contributor' });
    assert.throws(() => checkRevise(tpl([rev(1)]), { name: 'token:alice', role: 'admin' }), code('library.not_author', 'forbidden'));
    assert.throws(() => checkRevise(tpl([rev(1)]), bob), code('library.not_author', 'forbidden'));
    const a = review('r1', 'bob', 'approve');
    const gone = review('r1', 'carol', 'approve', '2026-12-02T00:00:00Z');
    const rc = review('r1', 'dave', 'request_changes');
    assert.deepEqual(approvalsToDismiss(tpl([rev(1), rev(2)], [a, gone, rc]), 'r2'), [a.id]);
  });

  test('a build needs an approved template and is of its current revision', () => {
    assert.equal(checkBuild(tpl([rev(1)], [review('r1', 'bob', 'approve')])).id, 'r1');
    assert.throws(() => checkBuild(tpl([rev(1)])), code('library.not_approved', 'conflict'));
    assert.throws(() => checkBuild(tpl([rev(1, 'failed')], [review('r1', 'bob', 'approve')])), code('library.not_approved', 'conflict'));
  });

  test('a token acts as token:<name>, a session as the account name', () => {
    assert.deepEqual(actorOf({ id: '1', name: 'ci', role: 'contributor', via: 'token' }), { name: 'token:ci', role: 'contributor' });
    assert.deepEqual(actorOf({ id: '2', name: 'alice', role: 'reviewer', via: 'session' }), { name: 'alice', role: 'reviewer' });
  });

  test('a check runs again only for the author, on the current revision, once it failed', () => {
    const alice = { name: 'alice', role: 'contributor' as const };
    assert.equal(checkRecheck(tpl([rev(1, 'passed'), rev(2, 'failed')]), alice, 'd2').id, 'r2');
    assert.throws(() => checkRecheck(tpl([rev(1, 'failed')]), { name: 'bob', role: 'admin' }, 'd1'), code('library.not_author', 'forbidden'));
    assert.throws(() => checkRecheck(tpl([rev(1, 'failed'), rev(2, 'failed')]), alice, 'd1'), code('library.stale_revision', 'conflict'));
    for (const state of ['pending', 'running', 'passed'] as const) {
      assert.throws(() => checkRecheck(tpl([rev(1, state)]), alice, 'd1'), code('library.not_rerunnable', 'conflict'), state);
    }
  });
});
