import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserDirectory } from '../../src/flow/user-directory.js';
import { ConnectorError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { B24Envelope } from '../../src/adapters/bitrix/types.js';

function makeUsers(n: number, offset = 0) {
  return Array.from({ length: n }, (_, i) => ({ ID: String(i + 1 + offset), NAME: `U${i + 1 + offset}`, LAST_NAME: 'X', ACTIVE: true, UF_PHONE_INNER: String(100 + i + 1 + offset) }));
}

function fakeClient(pages: () => Array<Array<Record<string, unknown>>>, fail: { on: boolean }) {
  const calls: Array<Record<string, unknown>> = [];
  return {
    calls,
    client: {
      async callRaw(_method: string, params?: Record<string, unknown>): Promise<B24Envelope> {
        calls.push(params ?? {});
        if (fail.on) throw new ConnectorError('B24_NETWORK', 'down', { retryable: true });
        const p = pages();
        const start = Number(params?.['start'] ?? 0);
        const idx = start / 50;
        const rows = p[idx] ?? [];
        return idx + 1 < p.length ? { result: rows, total: 0, next: start + 50 } : { result: rows, total: 0 };
      },
    },
  };
}

test('loads every page, finds users by normalised inner phone', async () => {
  const all = makeUsers(120);
  const fail = { on: false };
  const { client, calls } = fakeClient(() => [all.slice(0, 50), all.slice(50, 100), all.slice(100)], fail);
  let now = 0;
  const dir = new UserDirectory({ client, logger: silentLogger, now: () => now, normalise: (s) => s.replace(/\D/g, '') });
  assert.equal(await dir.refresh(), true);
  assert.equal(calls.length, 3);
  assert.deepEqual(calls.map((c) => c['start']), [0, 50, 100]);
  assert.equal((await dir.find(' 1-05 '))?.id, 5);
  assert.equal(dir.stats().users, 120);
  now = 1;
  assert.equal(dir.peek('220')?.id, 120);
});

test('a miss refreshes at most once per interval; a failure keeps the old directory', async () => {
  let users = makeUsers(2);
  const fail = { on: false };
  const { client, calls } = fakeClient(() => [users], fail);
  let now = 1_000_000;
  const dir = new UserDirectory({ client, logger: silentLogger, now: () => now, normalise: (s) => s, missRefreshMinMs: 60_000 });
  await dir.refresh();
  assert.equal(calls.length, 1);
  users = makeUsers(3);
  assert.equal((await dir.find('103'))?.id, 3); // miss → refresh → found
  assert.equal(calls.length, 2);
  assert.equal(await dir.find('999'), undefined); // miss within the interval: no request
  assert.equal(calls.length, 2);
  fail.on = true;
  now += 61_000;
  assert.equal(await dir.find('998'), undefined);
  assert.equal(calls.length, 3);
  assert.equal((await dir.find('101'))?.id, 1, 'still there after the failed refresh');
  assert.equal(dir.stats().failures, 1);
});

test('concurrent refreshes share one request', async () => {
  const fail = { on: false };
  const { client, calls } = fakeClient(() => [makeUsers(1)], fail);
  const dir = new UserDirectory({ client, logger: silentLogger, now: () => 0, normalise: (s) => s });
  await Promise.all([dir.refresh(), dir.refresh(), dir.refresh()]);
  assert.equal(calls.length, 1);
});

test('onPhonesChanged: told after a load that changes the inner phones, not after a failed or identical one', async () => {
  let users = makeUsers(2);
  const fail = { on: true };
  const { client } = fakeClient(() => [users], fail);
  const dir = new UserDirectory({ client, logger: silentLogger, now: () => 0, normalise: (s) => s });
  const heard: string[][] = [];
  dir.onPhonesChanged((p) => heard.push([...p].sort()));
  assert.equal(await dir.refresh(), false, 'portal down at start');
  assert.deepEqual(heard, []);
  fail.on = false;
  await dir.refresh();
  assert.deepEqual(heard, [['101', '102']]);
  await dir.refresh();
  assert.equal(heard.length, 1, 'same phones: nobody told');
  users = [...users, { ID: '7', NAME: 'New', LAST_NAME: 'Hire', ACTIVE: true, UF_PHONE_INNER: '100001' }];
  await dir.refresh();
  assert.deepEqual(heard.at(-1), ['100001', '101', '102']);
});

test('FMC: portal rows carry the phone fields; a changed mobile is a change for the listeners', async () => {
  let users: Array<Record<string, unknown>> = [
    { ID: '1', NAME: 'Alice', ACTIVE: true, UF_PHONE_INNER: '101', PERSONAL_MOBILE: ' +7 916 123-45-67 ', WORK_PHONE: '' },
    { ID: '2', NAME: 'Bob', ACTIVE: true, UF_PHONE_INNER: '102' },
    { ID: '3', NAME: 'NoPhone', ACTIVE: true, PERSONAL_MOBILE: '+79160000003' },
  ];
  const { client } = fakeClient(() => [users], { on: false });
  const dir = new UserDirectory({ client, logger: silentLogger, now: () => 0, normalise: (s) => s });
  const heard: number[] = [];
  dir.onPhonesChanged((p) => heard.push(p.length));
  await dir.refresh();
  assert.deepEqual(dir.portalRows(), [
    { PERSONAL_MOBILE: '+7 916 123-45-67', UF_PHONE_INNER: '101', ACTIVE: true },
    { UF_PHONE_INNER: '102', ACTIVE: true },
  ]);
  await dir.refresh();
  assert.deepEqual(heard, [2]); // nothing changed: nobody told
  users = users.map((u) => (u['ID'] === '2' ? { ...u, PERSONAL_MOBILE: '+79169999999' } : u));
  await dir.refresh();
  assert.deepEqual(heard, [2, 2]);
  assert.equal(dir.portalRows()[1]?.['PERSONAL_MOBILE'], '+79169999999');
});
