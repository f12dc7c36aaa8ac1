import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { canChange, findUser, isChange, panelUsers } from '../../src/adapters/http/roles.js';
import { SessionStore } from '../../src/adapters/http/auth.js';
import { configSchema } from '../../src/config/schema.js';
import { maskSecrets, parseConfig } from '../../src/config/load.js';

describe('roles', () => {
  test('the legacy single login is one admin, next to admin.users; users without a hash are left out', () => {
    const users = panelUsers({ user: 'root', passwordHash: 'h0', users: [{ user: 'eve', passwordHash: 'h1', role: 'viewer' }, { user: 'x', passwordHash: '', role: 'admin' }] });
    assert.deepEqual(users, [{ user: 'root', passwordHash: 'h0', role: 'admin' }, { user: 'eve', passwordHash: 'h1', role: 'viewer' }]);
    assert.deepEqual(panelUsers({ user: 'admin', passwordHash: '' }), []);
    assert.deepEqual(panelUsers({ users: [{ user: 'eve', passwordHash: 'h1', role: 'viewer' }] }).map((u) => u.role), ['viewer']);
    // A name in both: the legacy admin wins (the schema refuses it anyway).
    assert.deepEqual(panelUsers({ user: 'a', passwordHash: 'h0', users: [{ user: 'a', passwordHash: 'h1', role: 'viewer' }] }).map((u) => u.role), ['admin']);
  });
  test('findUser matches the exact name only', () => {
    const users = panelUsers({ user: 'admin', passwordHash: 'h0', users: [{ user: 'eve', passwordHash: 'h1', role: 'viewer' }] });
    assert.equal(findUser(users, 'eve')?.role, 'viewer');
    assert.equal(findUser(users, 'Eve'), undefined);
    assert.equal(findUser(users, ''), undefined);
    assert.equal(findUser(users, 'admin')?.role, 'admin');
  });
  test('every request but GET/HEAD is a change, except login and logout; only admins may change', () => {
    assert.equal(isChange('GET', '/settings'), false);
    assert.equal(isChange('HEAD', '/'), false);
    assert.equal(isChange('POST', '/settings'), true);
    assert.equal(isChange('POST', '/anything/new'), true);
    assert.equal(isChange('DELETE', '/outbox/1'), true);
    assert.equal(isChange('POST', '/login'), false);
    assert.equal(isChange('POST', '/logout'), false);
    assert.equal(canChange('admin'), true);
    assert.equal(canChange('viewer'), false);
  });
  test('sessions carry the role (admin by default)', () => {
    const s = new SessionStore({ now: () => 0 });
    assert.equal(s.create('a').role, 'admin');
    const v = s.create('eve', 'viewer');
    assert.equal(s.get(v.id)?.role, 'viewer');
  });
});

describe('config: admin.users', () => {
  test('validated by the schema: role required and known, names unique, unknown keys refused', () => {
    const ok = configSchema.shape.admin.parse({ users: [{ user: 'eve', passwordHash: 'scrypt$x', role: 'viewer' }] });
    assert.deepEqual(ok.users, [{ user: 'eve', passwordHash: 'scrypt$x', role: 'viewer' }]);
    assert.deepEqual(configSchema.shape.admin.parse({}).users, []);
    for (const bad of [
      { users: [{ user: 'eve', passwordHash: 'h' }] },
      { users: [{ user: 'eve', passwordHash: 'h', role: 'root' }] },
      { users: [{ user: 'eve', passwordHash: '', role: 'viewer' }] },
      { users: [{ user: 'eve', passwordHash: 'h', role: 'viewer', extra: 1 }] },
      { users: [{ user: 'eve', passwordHash: 'h', role: 'viewer' }, { user: 'eve', passwordHash: 'h2', role: 'admin' }] },
      { user: 'admin', passwordHash: 'h', users: [{ user: 'admin', passwordHash: 'h2', role: 'viewer' }] },
    ]) assert.equal(configSchema.shape.admin.safeParse(bad).success, false, JSON.stringify(bad));
    // Without a legacy hash the default name "admin" is free for a listed user.
    assert.equal(configSchema.shape.admin.safeParse({ users: [{ user: 'admin', passwordHash: 'h', role: 'admin' }] }).success, true);
  });
  test('every user\'s passwordHash is masked like admin.passwordHash', () => {
    const config = parseConfig({
      bitrix: { auth: 'webhook', webhookUrl: 'https://b24.example/rest/1/abc/' },
      admin: { passwordHash: 'scrypt$legacy', users: [{ user: 'eve', passwordHash: 'scrypt$eve', role: 'viewer' }, { user: 'ops', passwordHash: 'scrypt$ops', role: 'admin' }] },
    });
    const masked = maskSecrets(config) as { admin: { passwordHash: string; users: Array<{ user: string; passwordHash: string }> } };
    assert.equal(masked.admin.passwordHash, '***');
    assert.deepEqual(masked.admin.users.map((u) => [u.user, u.passwordHash]), [['eve', '***'], ['ops', '***']]);
    assert.doesNotMatch(JSON.stringify(masked), /scrypt\$/);
  });
});
