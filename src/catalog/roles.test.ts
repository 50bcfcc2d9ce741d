import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRole, roleAtLeast, ROLES } from './roles.ts';

test('roles are hierarchical: each may do what the ones before it may, not more', () => {
  assert.deepEqual(ROLES, ['viewer', 'contributor', 'reviewer', 'publisher', 'admin']);
  assert.ok(roleAtLeast('admin', 'publisher'));
  assert.ok(roleAtLeast('publisher', 'publisher'));
  assert.ok(!roleAtLeast('reviewer', 'publisher'));
  assert.ok(!roleAtLeast('viewer', 'contributor'));
  assert.ok(isRole('reviewer'));
  assert.ok(!isRole('builder'));
});
