/**
 * Demo mode end to end, in-process: the CLI prints the panel URL and a login, the panel answers
 * /healthz, /readyz and /metrics, logging in works, generated calls reach the history with their
 * timeline; and over the real port: a black-list entry saved as settings applies to the next call
 * (and is kept in the kv store), a dead command retried goes out. Plus `hash-password`.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { PanelEvent } from '../../src/adapters/http/panel-port.js';
import { runDemo, startDemo, type RunningDemo } from '../../src/cli/demo.js';
import { runHashPassword } from '../../src/cli/hash-password.js';
import { verifyPassword } from '../../src/adapters/http/auth.js';
import { SETTINGS_KEY } from '../../src/adapters/http/connector-panel-port.js';
import { Jar, form, hidden } from '../http/helpers.js';
import { waitFor } from '../e2e/helpers.js';

function capture(): { io: { write(s: string): void; err: { write(s: string): void } }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { write: (s) => void out.push(s), err: { write: (s) => void err.push(s) } }, out, err };
}

async function get(jar: Jar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (jar.cookies.size) headers.set('cookie', jar.header());
  if (init.body instanceof URLSearchParams) headers.set('content-type', 'application/x-www-form-urlencoded');
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(res);
  return res;
}

async function login(base: string, jar: Jar, password: string): Promise<number> {
  const page = await (await get(jar, `${base}login`)).text();
  const res = await get(jar, `${base}login`, { method: 'POST', body: form({ _csrf: hidden(page, '_csrf'), user: 'admin', password }) });
  await res.arrayBuffer();
  return res.status;
}

describe('asterisk-b24 demo (CLI, in-process)', () => {
  let stop: () => void = () => {};
  let finished: Promise<number>;
  const cap = capture();

  before(() => {
    const until = new Promise<void>((r) => { stop = r; });
    finished = runDemo(['--port', '0', '--every', '600-900', '--time-scale', '0.15', '--log-level', 'silent'], cap.io, until);
  });

  after(async () => {
    stop();
    await finished;
  });

  test('prints the panel URL and the login, serves the panel, and calls reach the history with a timeline', async () => {
    const text = await waitFor('the first lines', () => (cap.out.join('').includes('calls keep coming') ? cap.out.join('') : undefined), 15_000);
    const lines = text.split('\n');
    const url = /^asterisk-b24 demo: admin panel at (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(lines[0] ?? '')?.[1];
    assert.ok(url, `first line names the panel: ${lines[0]}`);
    const password = /^ {2}login: {4}admin \/ (\S+)$/.exec(lines[1] ?? '')?.[1];
    assert.ok(password && password.length >= 12, `second line gives the login: ${lines[1]}`);
    assert.match(lines[2] ?? '', /data: .*asterisk-b24-demo-.*\(removed at exit\)/);

    const jar = new Jar();
    const health = await get(jar, `${url}healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    await waitFor('readyz 200', async () => (await fetch(`${url}readyz`)).status === 200, 10_000);
    assert.equal((await get(jar, `${url}calls`)).status, 303, 'the panel needs a login');

    assert.equal(await login(url, jar, 'wrong'), 401);
    assert.equal(await login(url, jar, password), 303);
    const dash = await get(jar, url);
    assert.equal(dash.status, 200);
    assert.match(await dash.text(), /id="live-calls"/);

    const key = await waitFor('a call in the history', async () => {
      const page = await (await get(jar, `${url}calls`)).text();
      return /<tr[^>]*data-call="([^"]+)"/.exec(page)?.[1];
    }, 20_000);
    const detail = await (await get(jar, `${url}calls/${encodeURIComponent(key)}`)).text();
    assert.match(detail, /id="timeline"/);
    assert.match(detail, /call_ended/);
    assert.match(detail, /(registered[^<]* for user \d+|not registered: )/, 'the why and the timeline say what the CRM got');

    const metrics = await (await fetch(`${url}metrics`)).text();
    assert.match(metrics, /asterisk_b24_call_stages_total\{stage="call_ended"/);
    assert.match(metrics, /asterisk_b24_ami_connected 1/);
  });
});

describe('demo over the real panel port', () => {
  let demo: RunningDemo;

  before(async () => {
    demo = await startDemo({ port: 0, timeScale: 0.1, autoCalls: false, password: 'demo-pass-1234' });
    await waitFor('AMI connected', () => demo.connector.ami.ready, 10_000);
  });

  after(async () => {
    await demo?.close();
  });

  test('a generated call: live with the card shown to the ringing user, then history with its CRM commands', async () => {
    const handle = demo.startCall({ type: 'inbound', from: '+79161234567', did: '5551000', to: '103', outcome: 'answered', ringMs: 4000, talkMs: 3000 });
    const live = await waitFor('live call with a card', async () =>
      (await demo.connector.panel.liveCalls()).find((c) => c.summary.clientNumber === '+79161234567' && c.cardVisibleTo.length > 0), 10_000);
    assert.deepEqual(live.cardVisibleTo, [{ id: 3, name: 'Maria Ivanova' }]);
    assert.equal(live.live, true);
    await handle.done;
    const row = await waitFor('history row', async () => (await demo.connector.panel.history({ number: '9161234567', limit: 10, offset: 0 })).rows[0], 10_000);
    assert.equal(row.summary.callKey, live.summary.callKey);
    const d = await waitFor('finish sent', async () => {
      const x = await demo.connector.panel.call(row.summary.callKey);
      return x?.commands.some((c) => c.step === 'finish' && c.state === 'done') ? x : undefined;
    }, 10_000);
    assert.deepEqual(d.commands.map((c) => c.method).filter((m, i, a) => a.indexOf(m) === i).sort(), [
      'telephony.externalcall.finish', 'telephony.externalcall.register', 'telephony.externalcall.show',
    ], 'answered by the one ringing user: the finish closes the card, no hide');
    assert.equal(d.explanation.registered.ok, true);
    assert.match(d.explanation.assigned.reason, /^finished for user 3: status 200/);
    assert.equal((await demo.connector.panel.history({ extension: '103', limit: 10, offset: 0 })).total, 1);
    assert.equal((await demo.connector.panel.history({ extension: '104', limit: 10, offset: 0 })).total, 0);
  });

  test('a known client is routed over FastAGI to the responsible manager, and the call says why', async () => {
    // +79852223344 is contact 15, responsible user 4 (extension 104); the dialplan's default is 101.
    const handle = await demo.startRoutedCall({ type: 'inbound', from: '+79852223344', did: '5551000', to: '101', outcome: 'answered', ringMs: 1500, talkMs: 1000 });
    await handle.done;
    const row = await waitFor('history row', async () => (await demo.connector.panel.history({ number: '9852223344', limit: 1, offset: 0 })).rows[0], 10_000);
    const d = await waitFor('the finish', async () => {
      const x = await demo.connector.panel.call(row.summary.callKey);
      return x?.commands.some((c) => c.step === 'finish' && c.state === 'done') ? x : undefined;
    }, 10_000);
    assert.deepEqual(d.summary.conversations.map((c) => c.extension), ['104'], 'the responsible\'s phone rang, not 101');
    assert.equal(d.timeline[0]?.stage, 'route (FastAGI)');
    assert.match(d.timeline[0]?.notes[0] ?? '', /^FastAGI route OK → 104 \(user 4 .*\): the client's responsible, CONTACT 15/);
  });

  test('the mix\'s FMC call: forwarded to Anna\'s mobile (her profile), the call is hers and the timeline says so', async () => {
    const handle = demo.startCall('forwarded to the mobile (FMC)');
    await handle.done;
    const d = await waitFor('the finish', async () => {
      const row = (await demo.connector.panel.history({ extension: '105', limit: 1, offset: 0 })).rows[0];
      const x = row ? await demo.connector.panel.call(row.summary.callKey) : undefined;
      return x?.commands.some((c) => c.step === 'finish' && c.state === 'done') ? x : undefined;
    }, 10_000);
    assert.deepEqual(d.summary.conversations.map((c) => [c.extension, c.mobile]), [['105', '79160001105']]);
    assert.match(d.explanation.shown.reason, /^card shown to user 5 \(extension 105's mobile 79160001105 rings\)/);
    assert.match(d.explanation.assigned.reason, /^finished for user 5: status 200/);
  });

  test('the mix\'s rated call: the caller\'s rating from the IVR goes with the finish (VOTE)', async () => {
    const handle = demo.startCall({ type: 'inbound', from: '+79035551122', did: '5551017', to: '106', outcome: 'answered', ringMs: 500, talkMs: 500, rating: '5' });
    await handle.done;
    const d = await waitFor('the finish', async () => {
      const row = (await demo.connector.panel.history({ extension: '106', limit: 1, offset: 0 })).rows[0];
      const x = row ? await demo.connector.panel.call(row.summary.callKey) : undefined;
      return x?.commands.some((c) => c.step === 'finish' && c.state === 'done') ? x : undefined;
    }, 10_000);
    assert.equal(d.commands.find((c) => c.step === 'finish')?.params['VOTE'], 5);
    const mix = JSON.parse(readFileSync(new URL('../../examples/demo/scenario.json', import.meta.url), 'utf8')) as { calls: Array<{ spec: Record<string, unknown> }> };
    assert.ok(mix.calls.some((k) => k.spec['rating'] === '$rating'), 'the mix has a rated kind');
  });

  test('live events: call stages, outbox and health while a panel listens; none after unsubscribing', async () => {
    const events: PanelEvent[] = [];
    const off = demo.connector.panel.subscribe((e) => events.push(e));
    const handle = demo.startCall({ type: 'inbound', from: '+79035551122', did: '5551000', to: '105', outcome: 'noanswer', dialTimeoutMs: 20_000 });
    const key = await waitFor('requested event', () => events.find((e) => e.type === 'call' && e.stage === 'conversation_requested')?.type === 'call'
      ? (events.find((e) => e.type === 'call') as Extract<PanelEvent, { type: 'call' }>).callKey : undefined, 10_000);
    await handle.done;
    await waitFor('call_ended event', () => events.some((e) => e.type === 'call' && e.callKey === key && e.stage === 'call_ended'), 10_000);
    await waitFor('outbox event', () => events.some((e) => e.type === 'outbox'), 10_000);
    assert.ok(events.some((e) => e.type === 'health'), 'the first comparison reports health');
    off();
    const n = events.length;
    await demo.startCall({ type: 'inbound', from: '+79035551122', did: '5551000', to: '105', outcome: 'busy', ringMs: 300 }).done;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(events.length, n);
  });

  test('a black-list entry saved as settings applies to the next call and is kept in the store', async () => {
    const port = demo.connector.panel;
    const settings = await port.settings.get();
    const bad = await port.settings.save({ ...settings, calls: { ...settings.calls, defaultUserId: 'abc' } });
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.issues.some((i) => i.path === 'calls.defaultUserId'));
    const r = await port.settings.save({ ...settings, lists: { ...settings.lists, black: { ...settings.lists.black, numbers: ['+79990001122'] } } });
    assert.deepEqual(r, { ok: true, applied: ['lists'] });
    const saved = await demo.connector.store.getValue<{ lists: { black: { numbers: string[] } } }>(SETTINGS_KEY);
    assert.deepEqual(saved?.lists.black.numbers, ['+79990001122']);

    await demo.startCall({ type: 'inbound', from: '+79990001122', did: '5551000', to: '102', outcome: 'answered', ringMs: 500, talkMs: 500 }).done;
    const row = await waitFor('blacklisted call in history', async () => (await port.history({ number: '79990001122', limit: 5, offset: 0 })).rows[0], 10_000);
    assert.equal(row.registered, false);
    assert.equal(row.skipped, 'blacklisted (number +79990001122)');
    const d = await port.call(row.summary.callKey);
    assert.equal(d?.explanation.registered.reason, 'not registered: blacklisted (number +79990001122)');
    assert.deepEqual(d?.commands, []);
  });

  test('a dead command is retried and goes out', async () => {
    const { emu, connector } = demo;
    const handler = 'http://127.0.0.1:9/demo-dead-letter';
    const bind = (method: string): Promise<Response> => fetch(`${emu.app.client_endpoint}${method}`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'ONEXTERNALCALLBACKSTART', handler, auth: emu.app.access_token }),
    });
    assert.equal((await bind('event.bind')).status, 200);
    // The same binding again is refused (ERROR_HANDLER_ALREADY_EXIST, not retryable) → dead.
    const { inserted } = await connector.sender.enqueue([{ callKey: 'demo-dead', step: 'bind', idempotencyKey: 'demo-dead:bind', method: 'event.bind', params: { event: 'ONEXTERNALCALLBACKSTART', handler }, priority: 50 }]);
    const id = inserted[0]!;
    const dead = await waitFor('dead', async () => (await connector.panel.outbox.list({ state: 'dead' })).find((c) => c.id === id), 10_000);
    assert.equal(dead.lastError?.code, 'B24_HANDLER_ALREADY_EXISTS');
    assert.equal((await connector.panel.health()).outbox.dead, 1);
    assert.equal((await bind('event.unbind')).status, 200);
    assert.equal(await connector.panel.outbox.retry(id), true);
    const done = await waitFor('done', async () => (await connector.panel.outbox.list({ state: 'done' })).find((c) => c.id === id), 10_000);
    assert.equal(done.attempts, 1);
    assert.equal((await connector.panel.health()).outbox.dead, 0);
  });
});

describe('panel settings survive a restart', () => {
  test('the overlay is reloaded from the store and its lists apply to the next call', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ab24-demo-restart-'));
    try {
      const first = await startDemo({ port: 0, timeScale: 0.1, autoCalls: false, dataDir });
      const s = await first.connector.panel.settings.get();
      assert.deepEqual(await first.connector.panel.settings.save({ lists: { ...s.lists, black: { ...s.lists.black, extensions: ['107'] } } }), { ok: true, applied: ['lists'] });
      await first.close();
      // Restarted in Russian (`--language ru`): the same data, the panel's texts change.
      const second = await startDemo({ port: 0, timeScale: 0.1, autoCalls: false, dataDir, language: 'ru' });
      try {
        assert.match(await (await fetch(`${second.url}login`)).text(), /<html lang="ru">[\s\S]*Войти/);
        assert.deepEqual((await second.connector.panel.settings.get()).lists.black.extensions, ['107']);
        await waitFor('AMI connected', () => second.connector.ami.ready, 10_000);
        await second.startCall({ type: 'inbound', from: '+79111112233', did: '5551000', to: '107', outcome: 'answered', ringMs: 300, talkMs: 300 }).done;
        const row = await waitFor('history row', async () => (await second.connector.panel.history({ extension: '107', limit: 1, offset: 0 })).rows[0], 10_000);
        assert.equal(row.skipped, 'blacklisted (extension 107)');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('demo CLI arguments', () => {
  test('a taken port fails at once with CLI_DEMO_PORT_IN_USE; bad values exit 2', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const port = String((taken.address() as AddressInfo).port);
      await assert.rejects(runDemo(['--port', port, '--log-level', 'silent'], capture().io), { code: 'CLI_DEMO_PORT_IN_USE' });
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
    const c = capture();
    assert.equal(await runDemo(['--every', 'soon'], c.io), 2);
    assert.match(c.err.join(''), /CLI_BAD_ARGS/);
    assert.equal(await runDemo(['--nope'], capture().io), 2);
    const lang = capture();
    assert.equal(await runDemo(['--language', 'de'], lang.io), 2);
    assert.match(lang.err.join(''), /--language en\|ru/);
  });
});

describe('asterisk-b24 hash-password', () => {
  test('hashes the argument, or stdin without one; refuses an empty password', async () => {
    const a = capture();
    assert.equal(await runHashPassword(['s3cret pass'], a.io), 0);
    const hash = a.out.join('').trim();
    assert.match(hash, /^scrypt\$32768\$8\$1\$/);
    assert.equal(await verifyPassword('s3cret pass', hash), true);
    const b = capture();
    assert.equal(await runHashPassword([], b.io, { stdin: Readable.from(['from stdin\n']) }), 0);
    assert.equal(await verifyPassword('from stdin', b.out.join('').trim()), true);
    const c = capture();
    assert.equal(await runHashPassword([], c.io, { stdin: Readable.from(['\n']) }), 2);
    assert.match(c.err.join(''), /CLI_EMPTY_PASSWORD/);
  });
});
