import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recipeJsonSchema } from '../../src/recipe/json-schema.ts';
import { schemaFields } from '../../web/src/lib/schema-reference.ts';

test('the recipe reference lists every top-level and nested field of the real recipe schema', () => {
  const schema = recipeJsonSchema();
  const fields = schemaFields(schema);
  const byPath = new Map(fields.map((f) => [f.path, f]));
  for (const top of Object.keys(schema.properties as object)) assert.ok(byPath.has(top), top);
  assert.equal(byPath.get('name')!.required, true);
  assert.equal(byPath.get('packages')!.required, false);
  assert.match(byPath.get('packages')!.type, /^list of string \("!x" removes/);
  assert.match(byPath.get('packages')!.allowed ?? byPath.get('packages')!.description!, /./);
  assert.ok(byPath.get('catalog.title')!.description);
  assert.ok(fields.some((f) => f.path.startsWith('users[].')), 'list items of objects are expanded');
  assert.ok(fields.every((f) => f.type && f.type !== 'undefined'));
});

test('refs are followed, cycles stop, enums and defaults are shown', () => {
  const fields = schemaFields({
    type: 'object', required: ['mode'],
    properties: { mode: { enum: ['a', 'b'], default: 'a', description: 'how' }, node: { $ref: '#/$defs/node' } },
    $defs: { node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } },
  });
  assert.deepEqual(fields[0], { path: 'mode', type: 'one of the values', required: true, description: 'how', default: '"a"', allowed: '"a", "b"' });
  assert.ok(fields.length < 12 && fields.some((f) => f.path === 'node.child.child'));
});
