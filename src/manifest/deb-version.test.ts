import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { compareDebVersions, parseDebVersion } from './deb-version.ts';

/** dpkg itself, the oracle: true when `a op b` holds. */
function dpkg(a: string, op: 'lt' | 'eq' | 'gt', b: string): boolean {
  try {
    execFileSync('dpkg', ['--compare-versions', a, op, b], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const sign = (n: number) => (n < 0 ? 'lt' : n > 0 ? 'gt' : 'eq');

const CASES = [
  '1.0', '1.0-1', '1.0-2', '1.0~rc1', '1.0~rc1-1', '1.0+dfsg-1', '1:0.9', '0:1.0', '2:1.0', '1.0a', '1.0.1', '1.00', '1.0-1~deb12u1',
  '1.0-1+deb12u1', '1.0-1+b1', '252.39-1~deb12u1', '252.38-1~deb12u1', '257.9-1~deb13u1', '2.36-9+deb12u10', '2.36-9+deb12u9',
  '3.0.17-1~deb12u2', '3.0.15-1~deb12u1', '6.1.0-41', '6.1.0-9', '10', '9', '1.0~', '1.0~~', '1.0~~a', '1.0-0', '1~~', '1~',
  '1.2.3.4.5.6.7.8.9.10', '1.2.3.4.5.6.7.8.9.9', '99999999999999999999999-1', '99999999999999999999998-1', '1.0+', '1.0.', '1.0-a', '1.0-A',
];

describe('Debian version order', () => {
  test('agrees with dpkg --compare-versions on every pair of a varied set', () => {
    const mismatches: string[] = [];
    for (const a of CASES) {
      for (const b of CASES) {
        const mine = sign(compareDebVersions(a, b));
        if (!dpkg(a, mine, b)) mismatches.push(`${a} ${mine} ${b}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  test('the orders people trip on', () => {
    assert.ok(compareDebVersions('1.0~rc1', '1.0') < 0, 'a tilde sorts before the release');
    assert.ok(compareDebVersions('1:0.9', '2.0') > 0, 'the epoch wins');
    assert.ok(compareDebVersions('252.39-1~deb12u1', '252.38-1~deb12u1') > 0);
    assert.ok(compareDebVersions('2.36-9+deb12u10', '2.36-9+deb12u9') > 0, 'digit runs are numbers, not text');
    assert.equal(compareDebVersions('1.00', '1.0'), 0);
    assert.equal(compareDebVersions('0:1.0', '1.0'), 0);
  });

  test('a version dpkg would refuse is an error that names it', () => {
    for (const bad of ['', '1.0-', 'a1.0', '1.0 beta', 'x:1.0', '1.0-rev_1', ':1.0']) {
      assert.throws(() => parseDebVersion(bad), (e: Error & { code?: string }) => e.code === 'deb.bad_version' && e.message.includes(`"${bad.trim()}"`), bad);
    }
  });
});
