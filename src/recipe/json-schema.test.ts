import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recipeJsonSchema } from './json-schema.ts';
import { recipeReferenceMarkdown } from './reference-doc.ts';

type S = Record<string, any>;

/** Every list in the schema, by dotted path. */
function lists(s: S, path = '', out: Record<string, S> = {}): Record<string, S> {
  for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, S>)) {
    const p = path ? `${path}.${k}` : k;
    if (v.type === 'array') out[p] = v;
    if (v.properties) lists(v, p, out);
    if (v.type === 'object' && v.additionalProperties?.type === 'array') out[`${p}.*`] = v.additionalProperties;
    const item = v.items?.anyOf?.[0];
    if (item?.properties) lists(item, `${p}[]`, out);
  }
  return out;
}

test('every list in the JSON Schema also accepts a "!x" removal, so editors accept what the loader accepts', () => {
  const schema = recipeJsonSchema() as S;
  assert.equal(schema.$defs.removal.pattern, '^!.+');
  const all = lists(schema);
  for (const p of ['packages', 'files', 'users', 'outputs', 'disk.boot', 'cloud-init.datasources', 'users[].groups', 'cloud-init.platforms.*']) {
    assert.ok(all[p], `${p} is a list`);
  }
  for (const [p, l] of Object.entries(all)) {
    assert.deepEqual(l.items?.anyOf?.[1], { $ref: '#/$defs/removal' }, `${p} accepts removals`);
  }
  // the keyed lists still describe their objects
  assert.deepEqual(all.files!.items.anyOf[0].required, ['path']);
});

test('the reference still documents list items and says how removals work', () => {
  const md = recipeReferenceMarkdown();
  assert.match(md, /\| `files\[\]\.path` \|/);
  assert.match(md, /\| `users\[\]\.name` \|/);
  assert.match(md, /\| `outputs` \| list of `raw` \\\| `qcow2`/);
  assert.match(md, /A removal that matches nothing\s+is an error/);
});
