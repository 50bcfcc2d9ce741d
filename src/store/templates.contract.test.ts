import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TestHandle, testDatabases } from './test-databases.ts';
import {
  addReview, addRevision, countRevisionsBy, createTemplate, dismissReviews, getRevision, getTemplate, getTemplateBySlug,
  listReviews, listRevisions, listTemplates, setRevisionCheck, textDigest,
} from './templates.ts';

const RECIPE = 'name: web\ndescription: a web server\nextends: base\npackages: [nginx]\n';

for (const target of testDatabases) {
  describe(`template library store (${target.name})`, { skip: target.skip }, () => {
    let h: TestHandle;
    before(async () => { h = await target.open(); });
    after(async () => { await h?.close(); });

    test('a template is created with revision 1; revisions number on; the digest is the sha256 of the text', async () => {
      const t0 = new Date('2026-12-01T10:00:00Z');
      const { template, revision } = await createTemplate(h.db, { slug: 'web', title: 'Web', description: 'nginx <b>fast</b>', author: 'alice', extends: 'base', recipeText: RECIPE, now: t0 });
      assert.equal(revision.number, 1);
      assert.equal(revision.checkState, 'pending');
      assert.equal(revision.digest, textDigest(RECIPE));
      assert.match(revision.digest, /^[0-9a-f]{64}$/);
      assert.deepEqual(await getTemplate(h.db, template.id), template);
      assert.equal((await getTemplateBySlug(h.db, 'web'))?.id, template.id);
      const r2 = await addRevision(h.db, template.id, RECIPE + '# two\n', new Date('2026-12-01T11:00:00Z'));
      assert.equal(r2.number, 2);
      assert.notEqual(r2.digest, revision.digest);
      assert.equal((await getTemplate(h.db, template.id))?.updatedAt, '2026-12-01T11:00:00.000Z');
      assert.deepEqual((await listRevisions(h.db, [template.id])).map((r) => r.number), [1, 2]);
      await assert.rejects(createTemplate(h.db, { slug: 'web', title: 'Again', description: '', author: 'bob', extends: null, recipeText: RECIPE }),
        (e: any) => e.code === 'library.slug_taken' && e.kind === 'conflict');
    });

    test('the check state, job and detail of a revision are recorded; text is stored byte for byte', async () => {
      const hostile = `name: x\ndescription: "<script>alert(1)</script> ' OR 1=1 --"\n`;
      const { revision } = await createTemplate(h.db, { slug: 'hostile', title: '<img src=x onerror=alert(1)>', description: '%_\\', author: 'mallory', extends: null, recipeText: hostile });
      await setRevisionCheck(h.db, revision.id, { state: 'running', jobId: 'job-1' });
      await setRevisionCheck(h.db, revision.id, { state: 'passed', detail: { build: 'passed', boot: 'passed', size: { bytes: 10, budget: 20, ok: true } } });
      const got = await getRevision(h.db, revision.id);
      assert.equal(got?.recipeText, hostile);
      assert.equal(got?.checkJobId, 'job-1');
      assert.equal(got?.checkState, 'passed');
      assert.deepEqual(got?.checkDetail, { build: 'passed', boot: 'passed', size: { bytes: 10, budget: 20, ok: true } });
    });

    test('search needs every word in title, description or author, case-insensitively; LIKE wildcards are literal', async () => {
      const slugs = async (words: string[]) => (await listTemplates(h.db, { words })).map((t) => t.slug).sort();
      assert.deepEqual(await slugs([]), ['hostile', 'web']);
      assert.deepEqual(await slugs(['NGINX']), ['web']);
      assert.deepEqual(await slugs(['alice', 'fast']), ['web']);
      assert.deepEqual(await slugs(['alice', 'mallory']), []);
      assert.deepEqual(await slugs(['%']), ['hostile']);
      assert.deepEqual(await slugs(['_']), ['hostile']);
      assert.deepEqual(await slugs(['\\']), ['hostile']);
    });

    test('reviews are listed per revision, dismissed once, and the rate count sees an author\'s recent revisions', async () => {
      const web = (await getTemplateBySlug(h.db, 'web'))!;
      const [r1, r2] = await listRevisions(h.db, [web.id]);
      const a = await addReview(h.db, { revisionId: r1!.id, reviewer: 'bob', verdict: 'approve', comment: 'ok', now: new Date('2026-12-01T12:00:00Z') });
      const b = await addReview(h.db, { revisionId: r2!.id, reviewer: 'carol', verdict: 'request_changes', comment: 'no', now: new Date('2026-12-01T12:01:00Z') });
      await dismissReviews(h.db, [a.id], new Date('2026-12-01T13:00:00Z'));
      await dismissReviews(h.db, [a.id], new Date('2026-12-01T14:00:00Z'));
      const reviews = await listReviews(h.db, [r1!.id, r2!.id]);
      assert.deepEqual(reviews.map((r) => [r.reviewer, r.verdict, r.dismissedAt]), [['bob', 'approve', '2026-12-01T13:00:00.000Z'], ['carol', 'request_changes', null]]);
      assert.equal(reviews[1]!.id, b.id);
      assert.equal(await countRevisionsBy(h.db, 'alice', new Date('2026-12-01T09:00:00Z')), 2);
      assert.equal(await countRevisionsBy(h.db, 'alice', new Date('2026-12-01T10:30:00Z')), 1);
      assert.equal(await countRevisionsBy(h.db, 'bob', new Date(0)), 0);
    });
  });
}
