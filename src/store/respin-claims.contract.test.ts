import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dropRespinClaim, getRespinClaim, setRespinJob, takeRespinClaim } from './respin-claims.ts';
import { type TestHandle, testDatabases } from './test-databases.ts';

for (const target of testDatabases) {
  describe(`respin claims (${target.name})`, { skip: target.skip }, () => {
    let h: TestHandle;
    before(async () => { h = await target.open({ poolSize: 8 }); });
    after(async () => { await h?.close(); });

    test('of many first claims at once exactly one wins; of many take-overs of the same claim exactly one wins', async () => {
      const first = await Promise.all(Array.from({ length: 8 }, (_, i) => takeRespinClaim(h.db, 'web', `c${i}`)));
      assert.equal(first.filter(Boolean).length, 1);
      const held = await getRespinClaim(h.db, 'web');
      assert.equal(held?.claim, `c${first.indexOf(true)}`);
      assert.equal(held?.jobId, null);
      assert.equal(await setRespinJob(h.db, 'web', held!.claim, 'job-1'), true);
      assert.equal(await setRespinJob(h.db, 'web', 'not-mine', 'job-2'), false, 'only the holder records its job');
      const over = await Promise.all(Array.from({ length: 8 }, (_, i) => takeRespinClaim(h.db, 'web', `d${i}`, held!.claim)));
      assert.equal(over.filter(Boolean).length, 1);
      assert.deepEqual(await getRespinClaim(h.db, 'web').then((c) => [c?.claim, c?.jobId]), [`d${over.indexOf(true)}`, null]);
      assert.equal(await takeRespinClaim(h.db, 'web', 'late', held!.claim), false, 'a claim seen before a take-over is gone');
    });

    test('a dropped claim lets the next caller insert again; another product is independent', async () => {
      const c = (await getRespinClaim(h.db, 'web'))!;
      await dropRespinClaim(h.db, 'web', 'someone-else');
      assert.ok(await getRespinClaim(h.db, 'web'), 'only the holder drops its claim');
      await dropRespinClaim(h.db, 'web', c.claim);
      assert.equal(await getRespinClaim(h.db, 'web'), undefined);
      assert.equal(await takeRespinClaim(h.db, 'web', 'again'), true);
      assert.equal(await takeRespinClaim(h.db, 'base', 'b'), true);
    });
  });
}
