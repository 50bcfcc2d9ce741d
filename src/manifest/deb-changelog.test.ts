import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { changesBetween, parseChangelog } from './deb-changelog.ts';

// the shape of glibc's and openssl's changelogs in bookworm, shortened
const CHANGELOG = `glibc (2.36-9+deb12u10) bookworm-security; urgency=medium

  * debian/patches/git-updates.diff: update from upstream stable branch:
    - Fix an integer overflow in _int_memalign leading to heap corruption
      (CVE-2026-0861).  Closes: #1125678.
    - Fix stack contents leak in getnetbyaddr (CVE-2026-0915, CVE-2026-0861).

 -- Aurelien Jarno <aurel32@debian.org>  Sat, 21 Nov 2026 10:00:00 +0100

glibc (2.36-9+deb12u9) bookworm; urgency=medium

  * Fix a crash in iconv.

 -- Aurelien Jarno <aurel32@debian.org>  Sat, 01 Nov 2026 10:00:00 +0100

glibc (2.36-9+deb12u8~rc1) bookworm; urgency=HIGH

  * A pre-release.

 -- Aurelien Jarno <aurel32@debian.org>  Sat, 01 Oct 2026 10:00:00 +0100

glibc (2.36-9) unstable; urgency=low

  * Old news (CVE-2023-4911).

 -- Aurelien Jarno <aurel32@debian.org>  Sat, 01 Jul 2023 10:00:00 +0200
`;

describe('Debian changelogs', () => {
  test('entries with source, version, distribution, urgency, text, CVE ids once each, and date', () => {
    const e = parseChangelog(CHANGELOG);
    assert.deepEqual(e.map((x) => [x.source, x.version, x.distribution, x.urgency]), [
      ['glibc', '2.36-9+deb12u10', 'bookworm-security', 'medium'], ['glibc', '2.36-9+deb12u9', 'bookworm', 'medium'],
      ['glibc', '2.36-9+deb12u8~rc1', 'bookworm', 'high'], ['glibc', '2.36-9', 'unstable', 'low'],
    ]);
    assert.deepEqual(e[0]!.cves, ['CVE-2026-0861', 'CVE-2026-0915']);
    assert.equal(e[0]!.date, 'Sat, 21 Nov 2026 10:00:00 +0100');
    assert.match(e[0]!.text, /^ {2}\* debian\/patches/);
    assert.doesNotMatch(e[0]!.text, /Aurelien/, 'the trailer is not part of the text');
    assert.deepEqual(e[1]!.cves, []);
  });

  test('an upgrade shows the entries after the installed version, up to the new one', () => {
    const e = parseChangelog(CHANGELOG);
    assert.deepEqual(changesBetween(e, '2.36-9+deb12u9', '2.36-9+deb12u10').map((x) => x.version), ['2.36-9+deb12u10']);
    assert.deepEqual(changesBetween(e, '2.36-9', '2.36-9+deb12u10').map((x) => x.version), ['2.36-9+deb12u10', '2.36-9+deb12u9', '2.36-9+deb12u8~rc1']);
    assert.deepEqual(changesBetween(e, '2.36-9+deb12u9', '2.36-9+deb12u9'), [], 'no upgrade, no entries');
    assert.deepEqual(changesBetween(e, '2.36-9+deb12u9', '2.36-9+deb12u9').flatMap((x) => x.cves), []);
  });

  test('garbage and a broken version are skipped, not guessed at', () => {
    const e = parseChangelog(`random preamble\nfoo (not a version!) unstable; urgency=low\n\n  * x CVE-2020-0001\n\n -- A <a@b>  Mon, 01 Jan 2024 00:00:00 +0000\n${CHANGELOG}`);
    assert.equal(e.length, 4, 'a heading whose version has a space is no heading');
    const bad = parseChangelog('foo (1.0_bad) unstable; urgency=low\n\n  * CVE-2020-0002\n\n -- A <a@b>  Mon, 01 Jan 2024 00:00:00 +0000\n');
    assert.equal(bad.length, 1);
    assert.deepEqual(changesBetween(bad, '0.1', '9.9'), []);
  });
});
