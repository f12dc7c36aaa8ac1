import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { startEmulator } from '../index.js';
import type { Emulator } from '../index.js';
import { createManualClock } from '../http/clock.js';
import { docExampleSeed } from '../portal/seeds.js';
import { T0, postJson } from './helpers.js';

interface Received { contentType: string; body: string }

/** A local event handler that records every POST and answers 200 (or what `status` says). */
async function handlerServer(): Promise<{ url: string; got: Received[]; server: Server; status: { code: number } }> {
  const got: Received[] = [];
  const status = { code: 200 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ contentType: String(req.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = status.code;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}/events`, got, server, status };
}

describe('event delivery with the real portal (reference §7)', () => {
  let emu: Emulator;
  let h: Awaited<ReturnType<typeof handlerServer>>;
  before(async () => {
    h = await handlerServer();
    emu = await startEmulator({ portal: docExampleSeed(), clock: createManualClock(T0), idSeed: 'events', eventTimeoutMs: 2000 });
  });
  after(async () => {
    await emu.close();
    await new Promise<void>((r) => h.server.close(() => r()));
  });

  const oauth = (method: string, params: Record<string, unknown> = {}) =>
    postJson(`${emu.app.client_endpoint}${method}`, { auth: emu.app.access_token, ...params });

  test('event.bind over a webhook is refused (app only)', async () => {
    const r = await postJson(`${emu.webhook}event.bind`, { event: 'ONEXTERNALCALLSTART', handler: h.url });
    assert.deepEqual([r.status, r.body['error']], [403, 'WRONG_AUTH_TYPE']);
  });

  test('click-to-call → ONEXTERNALCALLSTART POSTed as a PHP form with the documented fields', async () => {
    const bind = await oauth('event.bind', { event: 'ONEXTERNALCALLSTART', handler: h.url });
    assert.equal(bind.status, 200);
    const trig = await postJson(`${emu.url}/_emu/click-to-call`, { userId: 1269, phone: '+494951234567', entityType: 'CONTACT', entityId: 797 });
    assert.equal(trig.status, 200);
    const callId = String((trig.body['result'] as { callId: string }).callId);
    await emu.idle();
    assert.equal(h.got.length, 1);
    const got = h.got[0];
    assert.equal(got?.contentType, 'application/x-www-form-urlencoded');
    const form = new URLSearchParams(got?.body ?? '');
    const keys = [...form.keys()];
    assert.equal(keys[0], 'event');
    assert.equal(keys[1], 'event_handler_id');
    assert.equal(form.get('event'), 'ONEXTERNALCALLSTART');
    assert.match(form.get('event_handler_id') ?? '', /^\d+$/);
    assert.equal(form.get('data[CALL_ID]'), callId);
    assert.equal(form.get('data[USER_ID]'), '1269');
    assert.equal(form.get('data[PHONE_NUMBER]'), '+494951234567');
    assert.equal(form.get('data[CALL_LIST_ID]'), '0');
    assert.equal(form.get('data[IS_MOBILE]'), '0');
    assert.equal(form.get('data[CRM_ENTITY_TYPE]'), 'CONTACT');
    assert.equal(form.get('data[CRM_ENTITY_ID]'), '797');
    assert.equal(form.get('ts'), String(Math.floor(T0 / 1000)));
    const host = new URL(emu.url).host;
    assert.equal(form.get('auth[domain]'), host);
    assert.equal(form.get('auth[client_endpoint]'), `${emu.url}/rest/`);
    assert.equal(form.get('auth[server_endpoint]'), `${emu.url}/rest/`);
    assert.equal(form.get('auth[member_id]'), emu.app.member_id);
    assert.equal(form.get('auth[application_token]'), emu.app.application_token);
    assert.equal(form.get('auth[expires_in]'), '3600');
    assert.equal(form.get('auth[scope]'), 'telephony');
    assert.equal(form.get('auth[status]'), 'L');
    // The delivered token really works for a call back into the portal.
    const token = form.get('auth[access_token]') ?? '';
    const me = await postJson(`${emu.app.client_endpoint}user.current`, { auth: token });
    assert.equal(me.status, 200);
    const delivered = emu.requests.deliveries();
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0]?.ok, true);
    assert.equal(delivered[0]?.status, 200);
    assert.equal(delivered[0]?.body['auth[access_token]'], '***');
  });

  test('a failing handler is not retried; the failure is in the delivery log', async () => {
    h.status.code = 500;
    const before = h.got.length;
    await postJson(`${emu.url}/_emu/click-to-call`, { userId: 1270, phone: '+494951234568' });
    await emu.idle();
    assert.equal(h.got.length, before + 1, 'exactly one attempt');
    const last = emu.requests.deliveries().at(-1);
    assert.equal(last?.ok, false);
    assert.equal(last?.error, 'HTTP 500');
    const viaApi = await fetch(`${emu.url}/_emu/deliveries`).then((r) => r.json() as Promise<{ deliveries: unknown[] }>);
    assert.equal(viaApi.deliveries.length, 2);
    h.status.code = 200;
  });

  test('offline binding: the event is kept for event.offline.get, nothing is POSTed', async () => {
    const bind = await oauth('event.bind', { event: 'ONEXTERNALCALLBACKSTART', event_type: 'offline' });
    assert.equal(bind.status, 200, JSON.stringify(bind.body));
    const before = h.got.length;
    const trig = await postJson(`${emu.url}/_emu/callback`, { phone: '+494951234567', text: 'Call me', lineNumber: '7' });
    assert.equal(trig.status, 200);
    await emu.idle();
    assert.equal(h.got.length, before);
    const r = await oauth('event.offline.get', { clear: 1 });
    assert.equal(r.status, 200);
    const events = (r.body['result'] as { events: Array<Record<string, unknown>> }).events;
    assert.equal(events.length, 1);
    assert.equal(events[0]?.['EVENT_NAME'], 'ONEXTERNALCALLBACKSTART');
    assert.equal((events[0]?.['EVENT_DATA'] as Record<string, unknown>)['PHONE_NUMBER'], '+494951234567');
    const again = await oauth('event.offline.get', {});
    assert.equal((again.body['result'] as { events: unknown[] }).events.length, 0);
  });

  test('ONAPPINSTALL / ONAPPUNINSTALL through the control API', async () => {
    const before = h.got.length;
    const r = await postJson(`${emu.url}/_emu/install`, { handler: h.url, version: '1.0.0', languageId: 'de' });
    assert.equal(r.status, 200);
    assert.equal((r.body['delivery'] as { ok: boolean }).ok, true);
    const form = new URLSearchParams(h.got[before]?.body ?? '');
    assert.equal(form.get('event'), 'ONAPPINSTALL');
    assert.equal(form.get('data[VERSION]'), '1.0.0');
    assert.equal(form.get('data[INSTALLED]'), 'Y');
    assert.equal(form.get('data[LANGUAGE_ID]'), 'de');
    assert.equal(form.get('auth[expires_in]'), '3600');
    assert.equal(form.get('auth[application_token]'), emu.app.application_token);
    const token = form.get('auth[access_token]') ?? '';
    assert.equal((await postJson(`${emu.app.client_endpoint}user.current`, { auth: token })).status, 200);
    await postJson(`${emu.url}/_emu/install`, { handler: h.url, uninstall: true, clean: true });
    const un = new URLSearchParams(h.got[before + 1]?.body ?? '');
    assert.equal(un.get('event'), 'ONAPPUNINSTALL');
    assert.equal(un.get('data[CLEAN]'), '1');
    assert.equal(un.get('auth[access_token]'), null, 'uninstall carries no tokens');
    assert.equal(un.get('auth[application_token]'), emu.app.application_token);
  });
});
