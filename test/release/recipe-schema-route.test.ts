import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../src/api/app.ts';
import { recipeJsonSchema } from '../../src/recipe/json-schema.ts';
import { makeServices } from './fixtures/services.ts';

describe('GET /api/recipe-schema', () => {
  let env: Awaited<ReturnType<typeof makeServices>>;
  let app: ReturnType<typeof createApp>;
  before(async () => {
    env = await makeServices('herd-recipe-schema-');
    app = createApp(env.svc, { documentTtlMs: 0 });
  });
  after(async () => { await env.cleanup(); });

  test('anonymous: the same JSON Schema herd lint validates with, cacheable', async () => {
    const res = await app.request('/api/recipe-schema');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('cache-control') ?? '', /max-age=/);
    const body = await res.json();
    assert.deepEqual(body, JSON.parse(JSON.stringify(recipeJsonSchema())));
    assert.equal(body.title, 'Herd recipe');
    assert.ok(body.properties.packages, 'the schema describes recipe fields');
  });

  test('read-only and documented as an anonymous read with a response schema', async () => {
    assert.equal((await app.request('/api/recipe-schema', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 404);
    const spec = await (await app.request('/api/openapi.json')).json();
    const get = spec.paths['/api/recipe-schema'].get;
    assert.equal(get['x-required-role'], undefined);
    assert.equal(get.responses['200'].content['application/json'].schema.type, 'object');
  });

  test('a query string changes nothing; a longer path is no schema file lookup', async () => {
    const res = await app.request('/api/recipe-schema?x=%3Cscript%3E');
    assert.equal(res.status, 200);
    assert.doesNotMatch(await res.text(), /<script>/);
    for (const path of ['/api/recipe-schema/base', '/api/recipe-schema/..%2F..%2Fpackage.json']) {
      const r = await app.request(path);
      assert.equal(r.status, 404, path);
      assert.equal((await r.json()).code, 'api.not_found');
    }
  });
});
