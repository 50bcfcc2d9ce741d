import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentTypeFor, formatInfo } from './platforms.ts';
import { formats } from '../catalog/formats.ts';

test('every format a build writes has a stream platform and format of its own (none falls back to "generic")', () => {
  for (const [format, spec] of Object.entries(formats)) {
    const info = formatInfo(format);
    assert.notDeepEqual(info.platforms, ['generic'], `${format} has no stream platform`);
    assert.equal(contentTypeFor(spec.file), info.contentType, `${spec.file}: download type and stream type agree`);
  }
  assert.deepEqual(formatInfo('oci'), { platforms: ['oci'], streamFormat: 'oci-archive', contentType: 'application/x-tar', simplestreamsType: 'oci.tar' });
  // the fallback the check above guards against
  assert.deepEqual(formatInfo('iso').platforms, ['generic']);
});
