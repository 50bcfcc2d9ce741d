import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ociArchive } from './oci-archive.ts';

const spec = {
  name: 'localhost/test/hello:1', created: '2025-01-01T00:00:00Z', cmd: ['/hello'],
  layer: [{ type: 'file' as const, path: 'hello', mode: 0o755, data: Buffer.from('not really a program') }],
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function unpack(archive: Buffer): { dir: string; read: (p: string) => Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'herd-oci-'));
  writeFileSync(join(dir, 'image.tar'), archive);
  const r = spawnSync('tar', ['-xf', 'image.tar'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { dir, read: (p) => readFileSync(join(dir, p)) };
}

test('an OCI layout whose every blob matches its digest, and a docker manifest.json over the same blobs', () => {
  const img = ociArchive(spec);
  const { dir, read } = unpack(img.archive);
  try {
    assert.deepEqual(JSON.parse(read('oci-layout').toString()), { imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(read('index.json').toString());
    const desc = index.manifests[0];
    assert.equal(desc.annotations['org.opencontainers.image.ref.name'], spec.name);
    const blob = (d: string) => read(`blobs/sha256/${d.replace('sha256:', '')}`);
    const manifestBytes = blob(desc.digest);
    assert.equal(`sha256:${sha(manifestBytes)}`, desc.digest);
    assert.equal(manifestBytes.length, desc.size);
    const manifest = JSON.parse(manifestBytes.toString());
    const config = JSON.parse(blob(manifest.config.digest).toString());
    assert.equal(`sha256:${sha(blob(manifest.config.digest))}`, img.imageId);
    const layer = blob(manifest.layers[0].digest);
    assert.equal(`sha256:${sha(layer)}`, manifest.layers[0].digest);
    // uncompressed layer: its diff_id is its digest
    assert.deepEqual(config.rootfs.diff_ids, [manifest.layers[0].digest]);
    assert.deepEqual(config.config.Cmd, ['/hello']);
    const docker = JSON.parse(read('manifest.json').toString());
    assert.deepEqual(docker, [{ Config: `blobs/sha256/${img.imageId.slice(7)}`, RepoTags: [spec.name], Layers: [`blobs/sha256/${manifest.layers[0].digest.slice(7)}`] }]);
    assert.equal(img.sha256, sha(img.archive));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the image id follows the content: same input, same id; another layer, another id', () => {
  assert.equal(ociArchive(spec).imageId, ociArchive(spec).imageId);
  const other = { ...spec, layer: [{ ...spec.layer[0]!, data: Buffer.from('another program') }] };
  assert.notEqual(ociArchive(other).imageId, ociArchive(spec).imageId);
});

// skopeo reads the archive as the containers libraries (podman's) do; it is on hosts set up by the notes,
// not a Herd requirement, so this part runs only where it is installed
const hasSkopeo = spawnSync('sh', ['-c', 'command -v skopeo']).status === 0;
test('skopeo inspects it as an oci-archive and as a docker-archive', { skip: hasSkopeo ? false : 'skopeo is not installed' }, () => {
  const img = ociArchive(spec);
  const dir = mkdtempSync(join(tmpdir(), 'herd-oci-'));
  try {
    writeFileSync(join(dir, 'image.tar'), img.archive);
    for (const ref of [`oci-archive:${join(dir, 'image.tar')}`, `docker-archive:${join(dir, 'image.tar')}`]) {
      const r = spawnSync('skopeo', ['inspect', '--config', ref], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${ref}: ${r.stderr}`);
      assert.deepEqual(JSON.parse(r.stdout).config.Cmd, ['/hello']);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
