import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDpkgStatus } from './dpkg-status.ts';

test('installed packages with version, architecture and source; others skipped', () => {
  const status = [
    'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1',
    'Package: removed\nStatus: deinstall ok config-files\nVersion: 1',
    'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b8',
    'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc (2.36-9+deb12u13)\nVersion: 2.36-9+deb12u13',
  ].join('\n\n') + '\n';
  assert.deepEqual(parseDpkgStatus(status), [
    { name: 'bash', version: '5.2.15-2+b8', architecture: 'amd64', source: 'bash' },
    { name: 'libc6', version: '2.36-9+deb12u13', architecture: 'amd64', source: 'glibc' },
    { name: 'zlib1g', version: '1:1.2.13.dfsg-1', architecture: 'amd64', source: 'zlib' },
  ]);
});
