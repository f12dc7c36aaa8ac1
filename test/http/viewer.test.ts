/**
 * Roles over the real Hono app: a viewer reads every page but every changing route answers 403
 * (the POST routes are enumerated from the app, so a new one cannot be forgotten); an admin from
 * admin.users changes things and each change lands in the audit log, on /audit and in /audit.csv.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { UNGUARDED_POSTS } from '../../src/adapters/http/roles.js';
import { Jar, PASSWORD, VIEWER_PASSWORD, form, login, makeRolesApp, req, type TestApp } from './helpers.js';

function postRoutes(t: TestApp): string[] {
  return [...new Set(t.app.routes.filter((r) => r.method === 'POST').map((r) => r.path))].filter((p) => !UNGUARDED_POSTS.includes(p));
}

/** A concrete path for a route pattern (`:id` a dead command, `:point` an installed hook). */
function concrete(pattern: string, dead: number): string {
  return pattern.replace(':id', String(dead)).replace(':point', 'need_registration');
}

async function snapshot(t: TestApp): Promise<string> {
  return JSON.stringify([t.panel.deadCommandIds(), await t.panel.settings.get(), await t.panel.hooks.list(), (await t.panel.audit.page({ limit: 10, offset: 0 })).total]);
}

describe('viewer', () => {
  test('logs in with its role; sees every page, with no changing form on any', async () => {
    const t = await makeRolesApp();
    const jar = new Jar();
    const { res } = await login(t, jar, VIEWER_PASSWORD, '10.0.0.1', 'eve');
    assert.equal(res.status, 303);
    const key = (await t.panel.history({ limit: 1, offset: 0 })).rows[0]?.summary.callKey ?? '';
    const [dead] = t.panel.deadCommandIds();
    const deadCall = (await t.panel.outbox.list({ state: 'dead' }))[0]?.callKey ?? key;
    for (const path of ['/', '/calls', `/calls/${encodeURIComponent(key)}`, `/calls/${encodeURIComponent(deadCall)}`, '/outbox', '/outbox?state=dead', '/hooks', '/charts', '/settings', '/audit']) {
      const r = await req(t, jar, path);
      assert.equal(r.status, 200, path);
      const html = await r.text();
      assert.match(html, /data-role="viewer"/, path);
      const actions = [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(actions, ['/logout'], `${path}: only the logout form`);
      assert.doesNotMatch(html, /type="submit">(Save|Retry|Reset to the config file|Dry run)</, path);
    }
    assert.ok(dead);
    assert.match(await (await req(t, jar, '/settings')).text(), /id="read-only"/);
    for (const path of ['/calls.csv', '/audit.csv']) assert.equal((await req(t, jar, path)).status, 200, path);
  });

  test('every changing route (enumerated from the app) answers 403 with a clear page and changes nothing', async () => {
    const t = await makeRolesApp();
    const jar = new Jar();
    const { csrf } = await login(t, jar, VIEWER_PASSWORD, '10.0.0.1', 'eve');
    assert.ok(csrf);
    const routes = postRoutes(t);
    for (const known of ['/settings', '/settings/reset', '/outbox/:id/retry', '/outbox/:id/discard', '/hooks/dry-run', '/hooks/:point/enabled']) {
      assert.ok(routes.includes(known), `${known} is among the enumerated routes ${routes.join(' ')}`);
    }
    const [dead] = t.panel.deadCommandIds();
    assert.ok(dead);
    const before = await snapshot(t);
    for (const route of routes) {
      const path = concrete(route, dead);
      const body = form({ _csrf: csrf, on: '0', point: 'need_registration', input: '{}', 'lists.black.numbers': '+79990001122' });
      const res = await req(t, jar, path, { method: 'POST', body });
      assert.equal(res.status, 403, path);
      const html = await res.text();
      assert.match(html, /id="forbidden"/, path);
      assert.match(html, /Your account \(eve\) is a viewer/, path);
    }
    assert.equal(await snapshot(t), before);
    // Logging out stays allowed.
    assert.equal((await req(t, jar, '/logout', { method: 'POST', body: form({ _csrf: csrf }) })).status, 303);
  });

  test('CSRF still comes first, and the login limiter counts a viewer like anyone', async () => {
    const t = await makeRolesApp({ loginAttempts: { max: 2, windowMs: 60_000 } });
    const jar = new Jar();
    await login(t, jar, VIEWER_PASSWORD, '10.0.0.1', 'eve');
    const html = await (await req(t, jar, '/settings', { method: 'POST', body: form({ _csrf: 'forged' }) })).text();
    assert.doesNotMatch(html, /id="forbidden"/);
    const j2 = new Jar();
    for (let i = 0; i < 2; i++) assert.equal((await login(t, j2, 'wrong', '10.0.0.7', 'eve')).res.status, 401);
    assert.equal((await login(t, j2, VIEWER_PASSWORD, '10.0.0.7', 'eve')).res.status, 429);
  });
});

describe('admins and the audit log', () => {
  test('the legacy admin and an admin from admin.users may change things; each change is recorded and listed newest first', async () => {
    const t = await makeRolesApp();
    const legacy = new Jar();
    const a = await login(t, legacy, PASSWORD, '10.0.0.5');
    assert.equal(a.res.status, 303);
    const ops = new Jar();
    const { csrf } = await login(t, ops, PASSWORD, '10.0.0.6', 'ops');
    assert.ok(csrf && a.csrf);
    const [dead] = t.panel.deadCommandIds();
    assert.ok(dead);

    t.clock.now += 1_000;
    assert.equal((await req(t, legacy, `/outbox/${dead}/retry`, { method: 'POST', body: form({ _csrf: a.csrf }) }, '10.0.0.5')).status, 303);
    t.clock.now += 1_000;
    const saved = await req(t, ops, '/settings', { method: 'POST', body: form({ _csrf: csrf, 'lists.black.numbers': '+79990001122', 'calls.defaultUserId': '7', 'tasks.missedCalls': 'on' }) }, '10.0.0.6');
    assert.equal(saved.status, 303);
    t.clock.now += 1_000;
    assert.equal((await req(t, ops, '/hooks/need_registration/enabled', { method: 'POST', body: form({ _csrf: csrf, on: '0' }) }, '10.0.0.6')).status, 303);
    t.clock.now += 1_000;
    assert.equal((await req(t, ops, '/settings/reset', { method: 'POST', body: form({ _csrf: csrf }) }, '10.0.0.6')).status, 303);
    // A dry run changes nothing and is not recorded; a save that changes nothing neither.
    assert.equal((await req(t, ops, '/hooks/dry-run', { method: 'POST', body: form({ _csrf: csrf, point: 'need_registration', input: '{}' }) }, '10.0.0.6')).status, 200);

    const page = await t.panel.audit.page({ limit: 10, offset: 0 });
    assert.deepEqual(page.rows.map((r) => [r.action, r.user, r.role, r.ip]), [
      ['settings.reset', 'ops', 'admin', '10.0.0.6'],
      ['hooks.disable', 'ops', 'admin', '10.0.0.6'],
      ['settings.save', 'ops', 'admin', '10.0.0.6'],
      ['outbox.retry', 'admin', 'admin', '10.0.0.5'],
    ]);
    const save = page.rows[2];
    assert.equal(save?.at, Date.parse('2026-11-22T10:00:02Z'));
    const changes = (save?.details as { changes: Array<{ path: string; from: unknown; to: unknown }> }).changes;
    assert.deepEqual(changes.find((c) => c.path === 'lists.black.numbers'), { path: 'lists.black.numbers', from: [], to: ['+79990001122'] });
    assert.deepEqual(changes.find((c) => c.path === 'calls.defaultUserId')?.to, 7);
    assert.match(save?.target ?? '', /calls/);
    assert.deepEqual(page.rows[1]?.details, { point: 'need_registration', on: false });
    assert.deepEqual(page.rows[3]?.details, { id: String(dead), ok: true });

    // The page, read by a viewer too.
    const eve = new Jar();
    await login(t, eve, VIEWER_PASSWORD, '10.0.0.1', 'eve');
    const html = await (await req(t, eve, '/audit')).text();
    const order = [...html.matchAll(/data-action="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(order, ['settings.reset', 'hooks.disable', 'settings.save', 'outbox.retry']);
    assert.match(html, /lists\.black\.numbers: \[\] → \[&quot;\+79990001122&quot;\]/);
    assert.match(html, /Hook switched off/);
    assert.match(html, /Entries 1–4 of 4/);

    const csv = await req(t, eve, '/audit.csv');
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="audit-2026-11-22\.csv"/);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'id,at,user,role,ip,action,target,details');
    assert.equal(lines.length, 5);
    assert.match(lines[4] ?? '', /^1,2026-11-22T10:00:01\.000Z,admin,admin,10\.0\.0\.5,outbox\.retry,/);
    t.panel.close();
  });

  test('the audit page pages 50 at a time', async () => {
    const t = await makeRolesApp();
    for (let i = 0; i < 60; i++) await t.panel.audit.append({ at: i, user: 'ops', role: 'admin', ip: '1.2.3.4', action: 'hooks.enable', target: `p${i}`, details: { on: true } });
    const jar = new Jar();
    await login(t, jar);
    const first = await (await req(t, jar, '/audit')).text();
    assert.match(first, /Entries 1–50 of 60/);
    assert.match(first, /href="\/audit\?offset=50"/);
    assert.match(first, /<code>p59<\/code>/);
    const second = await (await req(t, jar, '/audit?offset=50')).text();
    assert.match(second, /Entries 51–60 of 60/);
    assert.match(second, /<code>p0<\/code>/);
    assert.match(second, /href="\/audit\?offset=0"/);
  });
});
