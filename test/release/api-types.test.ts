import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { apiDocument, routeTable } from '../../src/api/app.ts';
import type { ReleaseServices } from '../../src/release/services.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The route constructors only close over the services: the table and its document need none.
const routes = routeTable({} as ReleaseServices);

/**
 * Routes that answer JSON without a `response` schema, each for a reason: the published documents are
 * served as stored (signed JSON, or its OpenPGP armour beside it), their formats are the feeds' own
 * (src/release/feeds/); the OpenAPI document is the description itself. Any other route must describe its answer.
 */
const UNDESCRIBED = ['get /feeds/*', 'get /releases/*', 'get /streams/*', 'get /coreos/*', 'get /api/openapi.json'];

describe('API types for the web client', () => {
  test('web/src/api/schema.d.ts is generated from the current route table (not stale)', async () => {
    // rejects (with the script's stderr) when the committed file differs from what the routes generate
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/gen-api-types.ts', '--check'], { cwd: root });
  });

  test('every JSON route has a response schema, so none is `content: {}` in the document', () => {
    const undescribed = routes.filter((r) => !r.produces && !r.response).map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(undescribed.sort(), [...UNDESCRIBED].sort(), 'give the route a `response` zod schema (src/api/response-schemas.ts has the shared ones)');
    const doc = apiDocument(routes) as { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema?: unknown }> }> }>> };
    const empty: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const [status, ok] = Object.entries(op.responses).find(([s]) => s.startsWith('2'))!;
        const json = ok.content['application/json'];
        if (json && !json.schema && !UNDESCRIBED.includes(`${method} ${path.replace('{key}', '*')}`)) empty.push(`${method} ${path} ${status}`);
      }
    }
    assert.deepEqual(empty, []);
  });

  test('routes answering 201 or 202 say so, and the document lists that status', () => {
    const doc = apiDocument(routes) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    assert.ok(doc.paths['/api/products']!.post!.responses['201'], 'POST /api/products creates: 201');
    assert.ok(doc.paths['/api/products/{id}/builds']!.post!.responses['202'], 'a build is a job: 202');
    assert.ok(doc.paths['/api/publish']!.post!.responses['202'], 'a publish is a job: 202');
    assert.ok(doc.paths['/api/tokens']!.post!.responses['201']);
  });

  test('the document describes GET /api/products as a list of products', () => {
    const doc = apiDocument(routes) as { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: Record<string, any> }> }> }>> };
    const schema = doc.paths['/api/products']!.get!.responses['200']!.content['application/json']!.schema;
    assert.equal(schema.type, 'object');
    assert.ok(schema.required.includes('products'));
    assert.equal(schema.properties.products.type, 'array');
    assert.deepEqual(Object.keys(schema.properties.products.items.properties).sort(), ['createdAt', 'description', 'id', 'recipe', 'title']);
  });
});
