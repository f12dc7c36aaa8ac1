/**
 * Settings saved from the admin panel apply while the connector runs (issue 7: "settings editor
 * validated by the same schema … black/white lists, trunks → lines, lead source, default
 * responsible, missed-call tasks, recordings, hooks"). Each test saves through the REAL panel port
 * (what the settings form posts) and checks the next simulated call in the Bitrix24 emulator —
 * no restart in between.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connector } from '../../src/main.js';
import { startRig, inspect, waitFor, type Rig } from './helpers.js';
import { hook, runCall, settle, startWith, writeHooks } from '../hooks-flow/helpers.js';

let rig: Rig;
before(async () => {
  rig = await startRig();
});
after(async () => {
  await rig?.close();
});

async function withConnector(name: string, extra: Record<string, unknown>, fn: (conn: Connector) => Promise<void>): Promise<void> {
  const conn = await startWith(rig, { store: { path: join(rig.dir, `${name}.sqlite`) }, ...extra });
  try {
    await fn(conn);
  } finally {
    await conn.close();
  }
}

describe('settings applied without a restart', () => {
  test('missed-call tasks switched on: the next missed call gets its task', async () => {
    await withConnector('tasks', {}, async (conn) => {
      const tasksBefore = inspect(rig.emu).tasks.length;
      const first = await runCall(rig, conn, { type: 'inbound', from: '+4930777001', did: '5551000', to: '101', outcome: 'noanswer' });
      await settle(conn);
      assert.equal(await conn.store.getByKey(`${first.externalCallId}:task`), undefined, 'tasks are off at start');

      const s = await conn.panel.settings.get();
      const r = await conn.panel.settings.save({ tasks: { ...s.tasks, missedCalls: true, title: 'Call back {phone}' } });
      assert.deepEqual(r, { ok: true, applied: ['tasks'] });
      assert.equal(conn.live.get().tasks.missedCalls, true);

      const second = await runCall(rig, conn, { type: 'inbound', from: '+4930777002', did: '5551000', to: '101', outcome: 'noanswer' });
      const task = await waitFor('task sent', async () => {
        await conn.idle();
        const c = await conn.store.getByKey(`${second.externalCallId}:task`);
        return c?.state === 'done' ? c : undefined;
      });
      assert.equal((task.params['fields'] as Record<string, unknown>)['TITLE'], 'Call back +4930777002');
      assert.equal(inspect(rig.emu).tasks.length, tasksBefore + 1);
    });
  });

  test('a trunk → line added: the line is created in Bitrix24 and the next call on the trunk carries it, with its lead source', async () => {
    await withConnector('lines', {}, async (conn) => {
      const before = await runCall(rig, conn, { type: 'inbound', from: '+4930777101', did: '5551000', to: '102', outcome: 'answered', ringMs: 300, talkMs: 300 });
      assert.equal(inspect(rig.emu).calls.find((c) => c.callId === before.callId)?.lineNumber, null);

      const r = await conn.panel.settings.save({ pbx: { ...(await conn.panel.settings.get()).pbx, trunks: [{ endpoint: 'trunk', line: '5557000', lineName: 'Live line', crmCreate: true, crmSource: 'WEB' }] } });
      assert.deepEqual(r, { ok: true, applied: ['pbx'] });
      await waitFor('line created', () => inspect(rig.emu).lines.find((l) => l['NUMBER'] === '5557000'));

      const after = await runCall(rig, conn, { type: 'inbound', from: '+4930777102', did: '5551000', to: '102', outcome: 'answered', ringMs: 300, talkMs: 300 });
      const call = inspect(rig.emu).calls.find((c) => c.callId === after.callId)!;
      assert.equal(call.lineNumber, '5557000');
      const reg = inspect(rig.emu).registrations.find((x) => x.callId === after.callId)!;
      assert.equal(reg.params['CRM_SOURCE'], 'WEB');
    });
  });

  test('owner of abandoned calls changed: the next call abandoned in the IVR goes to the new user', async () => {
    await withConnector('responsible', { calls: { missedUserId: 9 } }, async (conn) => {
      const s = await conn.panel.settings.get();
      const r = await conn.panel.settings.save({ calls: { ...s.calls, missedUserId: 3 } });
      assert.deepEqual(r, { ok: true, applied: ['calls'] });
      const c = await runCall(rig, conn, { type: 'ivr-abandon', from: '+4930777201', did: '5551000', ivrMs: 300 });
      const fin = inspect(rig.emu).finishes.filter((f) => f.callId === c.callId);
      assert.equal(fin.length, 1);
      assert.equal(Number(fin[0]!.params['USER_ID']), 3);
    });
  });

  test('a hooks folder set from the panel is loaded at once; switching the point off stops it without reloading', async () => {
    await withConnector('hooks', {}, async (conn) => {
      const dir = writeHooks(rig, 'live-hooks', { need_registration: hook(`{ result: !String(input.call_full?.client_number ?? '').endsWith('4930777301') }`) });
      const s = await conn.panel.settings.get();
      const r = await conn.panel.settings.save({ hooks: { ...s.hooks, dir } });
      assert.deepEqual(r, { ok: true, applied: ['hooks'] });
      await waitFor('hook discovered', () => conn.hooks.has('need_registration'));
      await conn.hooks.ready();
      assert.ok((await conn.panel.hooks.list()).find((h) => h.point === 'need_registration')?.enabled);

      const regsBefore = inspect(rig.emu).registrations.length;
      const handle = rig.sim.startCall({ type: 'inbound', from: '+4930777301', did: '5551000', to: '103', outcome: 'answered', ringMs: 300, talkMs: 300 });
      assert.equal(await handle.done, 'completed');
      await settle(conn);
      assert.equal(inspect(rig.emu).registrations.length, regsBefore, 'need_registration answered false: not registered');

      await conn.panel.hooks.setEnabled('need_registration', false);
      assert.equal(conn.hooks.has('need_registration'), false);
      assert.equal(conn.hooks.list().find((h) => h.point === 'need_registration')?.enabled, false, 'still installed, only off');
      const c = await runCall(rig, conn, { type: 'inbound', from: '+4930777301', did: '5551000', to: '103', outcome: 'answered', ringMs: 300, talkMs: 300 });
      assert.ok(c.callId, 'registered once the hook is off');
    });
  });

  test('a hook URL and its timeout set from the panel apply to the next call', async () => {
    // The portal-side service a user points need_registration at: it answers after `delayMs`.
    let delayMs = 0;
    const asked: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        const input = JSON.parse(body) as { call_full?: { client_number?: string } };
        asked.push(String(input.call_full?.client_number ?? ''));
        setTimeout(() => { res.setHeader('content-type', 'application/json'); res.end('{"data":{"result":false},"state":"success"}'); }, delayMs);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/need`;
    try {
      await withConnector('hook-url', {}, async (conn) => {
        const s = await conn.panel.settings.get();
        const r = await conn.panel.settings.save({ hooks: { ...s.hooks, urls: { need_registration: url } } });
        assert.deepEqual(r, { ok: true, applied: ['hooks'] });
        await waitFor('URL hook installed', () => conn.hooks.has('need_registration'));
        const regs = (): number => inspect(rig.emu).registrations.length;
        const before1 = regs();
        const h = rig.sim.startCall({ type: 'inbound', from: '+4930777302', did: '5551000', to: '103', outcome: 'answered', ringMs: 300, talkMs: 300 });
        assert.equal(await h.done, 'completed');
        await settle(conn);
        assert.ok(asked.some((n) => n.endsWith('4930777302')), 'the URL was asked');
        assert.equal(regs(), before1, 'need_registration answered false: not registered');

        // The service turns slow; a 300 ms timeout for this point makes the connector go on with
        // the default (register) instead of waiting.
        delayMs = 2_000;
        const s2 = await conn.panel.settings.get();
        assert.deepEqual(await conn.panel.settings.save({ hooks: { ...s2.hooks, timeouts: { need_registration: 300 } } }), { ok: true, applied: ['hooks'] });
        await waitFor('timeout applied', () => conn.hooks.list().find((x) => x.point === 'need_registration')?.timeoutMs === 300);
        const c = await runCall(rig, conn, { type: 'inbound', from: '+4930777303', did: '5551000', to: '103', outcome: 'answered', ringMs: 300, talkMs: 300 });
        assert.ok(c.callId, 'registered: the hook timed out and the default applied');
      });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('reset to the config file: the overlay is forgotten and the file\'s values apply at once, and after a restart', async () => {
    await withConnector('reset', { lists: { black: { numbers: ['+4930777501'] } } }, async (conn) => {
      const s = await conn.panel.settings.get();
      await conn.panel.settings.save({ lists: { ...s.lists, black: { ...s.lists.black, numbers: [] } }, tasks: { ...s.tasks, missedCalls: true } });
      assert.deepEqual(conn.live.get().lists.black.numbers, []);
      const r = await conn.panel.settings.reset();
      assert.deepEqual(r, { ok: true, applied: ['lists', 'tasks'] });
      assert.deepEqual(conn.live.get().lists.black.numbers, ['+4930777501'], 'the file\'s black list is back');
      assert.equal(conn.live.get().tasks.missedCalls, false);
      assert.deepEqual(await conn.store.getValue('panel.settings'), {});
      const regs = inspect(rig.emu).registrations.length;
      const handle = rig.sim.startCall({ type: 'inbound', from: '+4930777501', did: '5551000', to: '101', outcome: 'answered', ringMs: 300, talkMs: 300 });
      assert.equal(await handle.done, 'completed');
      await settle(conn);
      assert.equal(inspect(rig.emu).registrations.length, regs, 'black-listed again by the file');
    });
  });

  test('the CDR file set from the panel is used at the next AMI reconnect', async () => {
    await withConnector('cdr', {}, async (conn) => {
      const s = await conn.panel.settings.get();
      const r = await conn.panel.settings.save({ cdr: { ...s.cdr, csvPath: '/var/log/asterisk/cdr-csv/Master.csv', timezone: 'Europe/Moscow' } });
      assert.deepEqual(r, { ok: true, applied: ['cdr'] });
      assert.equal(conn.live.get().cdr.csvPath, '/var/log/asterisk/cdr-csv/Master.csv');
      const bad = await conn.panel.settings.save({ cdr: { ...s.cdr, timezone: 'Mars/Olympus' } });
      assert.ok(!bad.ok && bad.issues.some((i) => i.path === 'cdr.timezone'));
    });
  });

  test('an invalid edit is refused with the key path and changes nothing', async () => {
    await withConnector('invalid', {}, async (conn) => {
      const s = await conn.panel.settings.get();
      const r = await conn.panel.settings.save({ tasks: { ...s.tasks, deadlineMinutes: -5 } });
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.issues.some((i) => i.path === 'tasks.deadlineMinutes'));
      assert.equal(conn.live.get().tasks.deadlineMinutes, s.tasks['deadlineMinutes']);
      assert.equal(await conn.store.getValue('panel.settings'), undefined);
    });
  });
});
