import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RECIPES_DIR } from '../../src/release/catalogue.ts';
import { readCatalogue } from '../../src/release/catalogue-entries.ts';
import { formatIssue } from '../../src/recipe/issues.ts';

/**
 * The catalogue as shipped: every recipes/*.yaml lints, writes its own catalog block (title and summary of its
 * own, a title other than its parent's), and publishes under a name no other recipe uses. Covers each recipe
 * as it lands in recipes/.
 */
test('every recipe of recipes/ lints and has a catalog block of its own', async () => {
  const entries = await readCatalogue(DEFAULT_RECIPES_DIR);
  assert.ok(entries.some((e) => e.id === 'base'), 'recipes/base.yaml is in the catalogue');
  const problems = entries.flatMap((e) => e.problems.map((p) => `${e.id}: ${formatIssue(p)}`));
  assert.deepEqual(problems, []);
  for (const e of entries) assert.ok(e.recipe?.catalog, `${e.id} has a catalog block`);
});

test('no two catalogue recipes publish under the same name (the product their releases go to)', async () => {
  const names = new Map<string, string[]>();
  for (const e of await readCatalogue(DEFAULT_RECIPES_DIR)) {
    if (e.recipe) names.set(e.recipe.name, [...(names.get(e.recipe.name) ?? []), e.id]);
  }
  assert.deepEqual([...names].filter(([, ids]) => ids.length > 1), []);
});
