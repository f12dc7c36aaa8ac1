/**
 * The panel's audit log (panel_audit, migration 4) on every backend: appended entries come back
 * newest first, a page at a time, details JSON byte for byte (Cyrillic included), and survive a reopen.
 */
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { AppStore } from '../../src/adapters/store/app-store.js';
import { openStore } from '../../src/adapters/store/open-store.js';
import { storeBackends } from './backends.js';

for (const b of storeBackends()) describe(b.name, { skip: b.skip }, () => {
  let store: AppStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  test('append, then pages newest first with the total', async () => {
    store = await b.open();
    assert.deepEqual(await store.audit.page({ limit: 10, offset: 0 }), { rows: [], total: 0 });
    const ids: number[] = [];
    for (let i = 1; i <= 7; i++) {
      ids.push(await store.audit.append({ at: 1_000 * i, user: i % 2 ? 'ops' : 'eve', role: 'admin', ip: `10.0.0.${i}`, action: 'hooks.enable', target: `p${i}`, details: { point: `p${i}`, on: true } }));
    }
    assert.deepEqual(ids, [1, 2, 3, 4, 5, 6, 7]);
    const p = await store.audit.page({ limit: 3, offset: 2 });
    assert.equal(p.total, 7);
    assert.deepEqual(p.rows.map((r) => [r.id, r.at, r.user, r.ip, r.target]), [[5, 5_000, 'ops', '10.0.0.5', 'p5'], [4, 4_000, 'eve', '10.0.0.4', 'p4'], [3, 3_000, 'ops', '10.0.0.3', 'p3']]);
    assert.deepEqual(p.rows[0]?.details, { point: 'p5', on: true });
  });

  test('details are kept as written and survive a reopen (file store)', async () => {
    const config = await b.freshConfig({ file: true });
    const details = { changes: [{ path: 'tasks.title', from: 'Перезвонить', to: 'Перезвонить «клиенту»' }, { path: 'lists.black.numbers', from: [], to: ['+7 999'] }] };
    let s = await openStore(config);
    await s.audit.append({ at: 42, user: 'ops', role: 'admin', ip: '::1', action: 'settings.save', target: 'lists,tasks', details });
    await s.close();
    s = store = await openStore(config);
    const [row] = (await s.audit.page({ limit: 1, offset: 0 })).rows;
    assert.deepEqual(row, { id: 1, at: 42, user: 'ops', role: 'admin', ip: '::1', action: 'settings.save', target: 'lists,tasks', details });
  });
});
