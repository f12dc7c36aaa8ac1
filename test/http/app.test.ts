import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Jar, form, hidden, login, makeApp, req } from './helpers.js';

describe('login', () => {
  test('good password: 303 to /, session cookie HttpOnly SameSite=Strict, not Secure on http', async () => {
    const t = await makeApp();
    const jar = new Jar();
    const page = await (await req(t, jar, '/login')).text();
    const res = await req(t, jar, '/login', { method: 'POST', body: form({ _csrf: hidden(page, '_csrf'), user: 'admin', password: 'correct horse' }) });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('ab24_session='));
    assert.ok(cookie);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/);
    const dash = await req(t, jar, '/');
    assert.equal(dash.status, 200);
    assert.match(await dash.text(), /Live calls/);
  });
  test('Secure cookie when configured or on https', async () => {
    const t = await makeApp({ secureCookies: true });
    const jar = new Jar();
    const { res } = await login(t, jar);
    assert.match(res.headers.getSetCookie().find((c) => c.startsWith('ab24_session=')) ?? '', /Secure/);
    const t2 = await makeApp();
    const jar2 = new Jar();
    const page = await (await req(t2, jar2, '/login', { headers: { 'x-forwarded-proto': 'https' } })).text();
    const r2 = await req(t2, jar2, '/login', { method: 'POST', headers: { 'x-forwarded-proto': 'https' }, body: form({ _csrf: hidden(page, '_csrf'), user: 'admin', password: 'correct horse' }) });
    assert.match(r2.headers.getSetCookie().find((c) => c.startsWith('ab24_session=')) ?? '', /Secure/);
  });
  test('bad password: 401 and no session; unauthenticated pages redirect to /login', async () => {
    const t = await makeApp();
    const jar = new Jar();
    const { res } = await login(t, jar, 'wrong');
    assert.equal(res.status, 401);
    assert.match(await res.text(), /Wrong user or password/);
    assert.equal(jar.cookies.has('ab24_session'), false);
    const dash = await req(t, jar, '/');
    assert.equal(dash.status, 303);
    assert.equal(dash.headers.get('location'), '/login');
    assert.equal((await req(t, jar, '/fragments/live-calls', { headers: { 'x-fragment': '1' } })).status, 401);
  });
  test('login without the login CSRF token is refused', async () => {
    const t = await makeApp();
    const res = await req(t, new Jar(), '/login', { method: 'POST', body: form({ user: 'admin', password: 'correct horse' }) });
    assert.equal(res.status, 403);
  });
  test('lockout after 5 failures per IP: 429 with Retry-After, even with the right password', async () => {
    const t = await makeApp();
    for (let i = 0; i < 5; i++) assert.equal((await login(t, new Jar(), 'nope')).res.status, 401);
    const { res } = await login(t, new Jar());
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '60');
    assert.match(await res.text(), /Too many attempts/);
    t.clock.now += 60_001;
    assert.equal((await login(t, new Jar())).res.status, 303);
  });
  test('per-user limit holds across IPs', async () => {
    const t = await makeApp();
    for (let i = 0; i < 5; i++) assert.equal((await login(t, new Jar(), 'nope', `10.0.1.${i}`)).res.status, 401);
    assert.equal((await login(t, new Jar(), 'correct horse', '10.0.2.1')).res.status, 429);
  });
  test('empty passwordHash disables login', async () => {
    const t = await makeApp({ auth: { user: 'admin', passwordHash: '' } });
    const { res } = await login(t, new Jar(), '');
    assert.equal(res.status, 403);
    assert.match(await res.text(), /admin\.passwordHash is not set/);
  });
  test('idle session expires', async () => {
    const t = await makeApp({ sessionIdleMs: 1000 });
    const jar = new Jar();
    await login(t, jar);
    t.clock.now += 1001;
    assert.equal((await req(t, jar, '/')).status, 303);
  });
});

describe('CSRF', () => {
  test('POST without or with a wrong token is 403 and does nothing', async () => {
    const t = await makeApp();
    const jar = new Jar();
    const { csrf } = await login(t, jar);
    const [dead] = t.panel.deadCommandIds();
    assert.ok(csrf && dead);
    assert.equal((await req(t, jar, `/outbox/${dead}/retry`, { method: 'POST', body: form({}) })).status, 403);
    assert.equal((await req(t, jar, `/outbox/${dead}/retry`, { method: 'POST', body: form({ _csrf: 'x'.repeat(csrf.length) }) })).status, 403);
    assert.equal((await req(t, jar, `/outbox/${dead}/retry`, { method: 'POST', headers: { origin: 'http://evil.test' }, body: form({ _csrf: csrf }) })).status, 403);
    assert.deepEqual(t.panel.deadCommandIds(), [dead]);
  });
  test('retry of a dead command with the token calls the port (form field or header)', async () => {
    const t = await makeApp();
    const jar = new Jar();
    const { csrf } = await login(t, jar);
    const [dead] = t.panel.deadCommandIds();
    const res = await req(t, jar, `/outbox/${dead}/retry`, { method: 'POST', body: form({ _csrf: csrf ?? '' }) });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `/outbox?state=pending&done=retried&id=${dead}`);
    assert.deepEqual(t.panel.deadCommandIds(), []);
    const pending = await t.panel.outbox.list({ state: 'pending' });
    assert.deepEqual(pending.map((c) => [c.id, c.step, c.attempts]), [[dead, 'finish', 0]]);
    const again = await req(t, jar, `/outbox/${dead}/retry`, { method: 'POST', headers: { 'x-csrf-token': csrf ?? '' } });
    assert.equal(again.headers.get('location'), `/outbox?state=pending&done=noop&id=${dead}`);
    t.panel.close();
  });
  test('logout needs the token and ends the session', async () => {
    const t = await makeApp();
    const jar = new Jar();
    const { csrf } = await login(t, jar);
    const res = await req(t, jar, '/logout', { method: 'POST', body: form({ _csrf: csrf ?? '' }) });
    assert.equal(res.status, 303);
    assert.equal((await req(t, jar, '/')).status, 303);
  });
});

describe('pages', () => {
  test('every page renders with security headers', async () => {
    const t = await makeApp();
    const jar = new Jar();
    await login(t, jar);
    const key = (await t.panel.history({ limit: 1, offset: 0 })).rows[0]?.summary.callKey ?? '';
    for (const [path, text] of [['/', 'Asterisk AMI'], ['/calls', 'Call history'], [`/calls/${key}`, 'Timeline'], ['/outbox', 'OUTBOX_ATTEMPTS_EXHAUSTED'],
      ['/settings', 'lists.black.numbers'], ['/hooks', 'need_registration'], ['/charts', 'Calls per hour'], ['/charts?range=7d', 'Last 7 days']] as const) {
      const res = await req(t, jar, path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/, path);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
      assert.ok((await res.text()).includes(text), `${path} shows ${text}`);
    }
    assert.equal((await req(t, jar, '/calls/nope')).status, 404);
  });
  test('a caller name with markup is escaped everywhere', async () => {
    const t = await makeApp();
    const jar = new Jar();
    await login(t, jar);
    const evil = '<img src=x onerror=alert(1)>"\'';
    t.panel.addCall({ callKey: '1.1', direction: 'incoming', clientNumber: '+7<b>9</b>', startedAt: t.clock.now - 5000, recordings: [], conversations: [
      { id: '1.1/1', extension: '101', channel: 'PJSIP/101-1', uniqueid: '1.11', stage: 'conversation_requested', via: 'dial', requestedAt: t.clock.now - 4000 },
    ] }, { live: true, clientName: evil });
    for (const path of ['/', '/fragments/live-calls', '/calls/1.1']) {
      const body = await (await req(t, jar, path)).text();
      assert.equal(body.includes('<img src=x'), false, path);
      assert.equal(body.includes('<b>9</b>'), false, path);
      assert.ok(body.includes('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;') || path === '/calls/1.1', path);
      assert.ok(body.includes('+7&lt;b&gt;9&lt;/b&gt;'), path);
    }
  });
  test('history search by number, extension and date', async () => {
    const t = await makeApp();
    const jar = new Jar();
    await login(t, jar);
    const all = await t.panel.history({ limit: 100, offset: 0 });
    const want = all.rows.filter((r) => r.summary.clientNumber === '+79161234567' && r.summary.conversations.some((c) => c.extension === '101'));
    const body = await (await req(t, jar, '/calls?number=9161234567&extension=101&from=2026-11-21&to=2026-11-22')).text();
    const keys = [...body.matchAll(/<tr data-call="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(keys, want.map((r) => r.summary.callKey));
    assert.ok(keys.length > 0);
  });
  test('settings: errors name the key and nothing is saved; a valid form is saved', async () => {
    const t = await makeApp();
    const jar = new Jar();
    const { csrf } = await login(t, jar);
    const bad = await req(t, jar, '/settings', { method: 'POST', body: form({ _csrf: csrf ?? '', 'calls.defaultUserId': 'abc', 'tasks.deadlineMinutes': '-5', 'lists.black.numbers': '+79990001122' }) });
    assert.equal(bad.status, 422);
    const text = await bad.text();
    assert.match(text, /data-path="calls\.defaultUserId"/);
    assert.match(text, /data-path="tasks\.deadlineMinutes"/);
    assert.deepEqual((await t.panel.settings.get()).lists.black.numbers, []);
    const ok = await req(t, jar, '/settings', { method: 'POST', body: form({
      _csrf: csrf ?? '', 'calls.defaultUserId': '7', 'lists.black.numbers': '+79990001122\n+79990001133', 'pbx.trunks.0.endpoint': 'trunk-main',
      'pbx.trunks.0.line': '74950000000', 'pbx.trunks.0.crmSource': 'ADVERTISING', 'pbx.trunks.1.endpoint': '', 'tasks.missedCalls': 'on',
    }) });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/settings?saved=calls%2Clists%2Cpbx%2Crecordings%2Ctasks');
    const shown = await (await req(t, jar, ok.headers.get('location')!)).text();
    assert.match(shown, /Settings saved and applied \(calls, black and white lists, trunks and lines, recordings, missed-call tasks\)/);
    assert.match(await (await req(t, jar, '/settings?saved=%3Cscript%3E')).text(), /Settings saved; nothing changed\./, 'unknown section names are never echoed');
    const s = await t.panel.settings.get();
    assert.deepEqual(s.lists.black.numbers, ['+79990001122', '+79990001133']);
    assert.equal(s.calls.defaultUserId, 7);
    assert.equal(s.tasks.missedCalls, true);
    assert.deepEqual(s.pbx.trunks, [{ endpoint: 'trunk-main', line: '74950000000', crmSource: 'ADVERTISING', crmCreate: false }]);
    const reset = await req(t, jar, '/settings/reset', { method: 'POST', body: form({ _csrf: csrf ?? '' }) });
    assert.equal(reset.status, 303);
    assert.match(reset.headers.get('location') ?? '', /^\/settings\?saved=calls%2Clists%2Cpbx%2Crecordings%2Ctasks$/);
    assert.deepEqual((await t.panel.settings.get()).lists.black.numbers, [], 'back to the config file');
    assert.equal((await req(t, jar, '/settings/reset', { method: 'POST', body: form({ _csrf: 'forged' }) })).status, 403, 'CSRF checked');
  });
  test('hooks: disable, enable and dry-run through the port', async () => {
    const t = await makeApp();
    const jar = new Jar();
    const { csrf } = await login(t, jar);
    await req(t, jar, '/hooks/need_registration/enabled', { method: 'POST', body: form({ _csrf: csrf ?? '', on: '0' }) });
    assert.equal((await t.panel.hooks.list()).find((h) => h.point === 'need_registration')?.enabled, false);
    const dry = await (await req(t, jar, '/hooks/dry-run', { method: 'POST', body: form({ _csrf: csrf ?? '', point: 'process_client_phone', input: '{"phone":"8 (916) 123"}' }) })).text();
    assert.match(dry, /&quot;phone&quot;: &quot;\+8916123&quot;/);
    const badJson = await (await req(t, jar, '/hooks/dry-run', { method: 'POST', body: form({ _csrf: csrf ?? '', point: 'process_client_phone', input: '[1' }) })).text();
    assert.match(badJson, /not a JSON object/);
  });
});

describe('operational endpoints', () => {
  test('/healthz 200; /readyz 200, then 503 with reasons when AMI is down or the store closed', async () => {
    const t = await makeApp();
    const jar = new Jar();
    assert.deepEqual(await (await req(t, jar, '/healthz')).json(), { status: 'ok' });
    assert.equal((await req(t, jar, '/readyz')).status, 200);
    t.panel.setAmiConnected(false);
    t.panel.setStoreOpen(false);
    const res = await req(t, jar, '/readyz');
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { ready: false, reasons: ['ami: not connected', 'store: not open'] });
    assert.equal((await req(t, jar, '/healthz')).status, 200);
  });
  test('/metrics is Prometheus text with the connector metric names', async () => {
    const t = await makeApp();
    t.metrics.callStage('call_ended', 'incoming', '200');
    t.metrics.restRequest('telephony.externalcall.register', true, 0.12);
    t.metrics.restRequest('telephony.externalcall.finish', false, 0.3, 'B24_SERVER_ERROR');
    t.metrics.limiterWait(0.5);
    t.metrics.amiReconnect();
    t.metrics.hookRun('need_registration', false, 3, 'HOOK_TIMEOUT');
    const res = await req(t, new Jar(), '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const line of [
      'asterisk_b24_call_stages_total{stage="call_ended",direction="incoming",status="200"} 1',
      'asterisk_b24_rest_requests_total{method="telephony.externalcall.register",result="ok"} 1',
      'asterisk_b24_rest_errors_total{method="telephony.externalcall.finish",code="B24_SERVER_ERROR"} 1',
      'asterisk_b24_rest_request_duration_seconds_count{method="telephony.externalcall.finish"} 1',
      'asterisk_b24_limiter_waits_total 1', 'asterisk_b24_limiter_wait_seconds_total 0.5', 'asterisk_b24_ami_reconnects_total 1',
      'asterisk_b24_ami_connected 1', 'asterisk_b24_outbox_depth 0', 'asterisk_b24_outbox_dead 1', 'asterisk_b24_outbox_oldest_age_seconds 0',
      'asterisk_b24_limiter_bucket_capacity 50', 'asterisk_b24_hook_failures_total{point="need_registration",code="HOOK_TIMEOUT"} 1',
      'asterisk_b24_hook_duration_seconds_count{point="need_registration"} 1',
    ]) assert.ok(text.includes(line), line);
  });
  test('extraRoutes are mounted outside the panel auth', async () => {
    const t = await makeApp({ extraRoutes: (app) => app.post('/bitrix/events', (c) => c.text('intake')) });
    const res = await req(t, new Jar(), '/bitrix/events', { method: 'POST', body: form({ event: 'ONEXTERNALCALLSTART' }) });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'intake');
  });
});
