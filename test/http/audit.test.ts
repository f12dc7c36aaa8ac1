import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MASK, auditEntry, detailsText, maskValue, sectionsOf, settingsDiff, settingsEntry } from '../../src/adapters/http/audit.js';
import { auditCsvRow } from '../../src/adapters/http/routes-audit.js';
import { memoryAuditLog } from '../../src/adapters/store/audit-log.js';

const ACTOR = { user: 'ops', role: 'admin' as const, ip: '10.0.0.9' };

describe('settings diff', () => {
  test('old → new per key; lists compare whole, objects and trunk rows key by key; unchanged keys left out', () => {
    const before = { lists: { black: { numbers: ['+1'] } }, calls: { internal: false, defaultUserId: 1 }, pbx: { trunks: [{ endpoint: 'a', line: '1' }] } };
    const after = { lists: { black: { numbers: ['+1', '+2'] } }, calls: { internal: true, defaultUserId: 1 }, pbx: { trunks: [{ endpoint: 'a', line: '2' }, { endpoint: 'b' }] } };
    assert.deepEqual(settingsDiff(before, after), [
      { path: 'calls.internal', from: false, to: true },
      { path: 'lists.black.numbers', from: ['+1'], to: ['+1', '+2'] },
      { path: 'pbx.trunks.0.line', from: '1', to: '2' },
      { path: 'pbx.trunks.1.endpoint', from: null, to: 'b' },
    ]);
    assert.deepEqual(sectionsOf(settingsDiff(before, after)), ['calls', 'lists', 'pbx']);
    assert.deepEqual(settingsDiff(before, structuredClone(before)), []);
  });
  test('secrets are masked: secret-named keys, URL passwords and query values (hook URLs may carry tokens)', () => {
    const d = settingsDiff(
      { hooks: { urls: { need_registration: 'https://h.example/hook?token=old' } }, x: { apiToken: 'abc', password: 'p1', clientSecret: '' } },
      { hooks: { urls: { need_registration: 'https://user:pw@h.example/hook?token=new&v=2' } }, x: { apiToken: 'def', password: 'p2', clientSecret: 's' } },
    );
    assert.deepEqual(d, [
      { path: 'hooks.urls.need_registration', from: 'https://h.example/hook?token=***', to: 'https://user:***@h.example/hook?token=***&v=***' },
      { path: 'x.apiToken', from: MASK, to: MASK },
      { path: 'x.clientSecret', from: '', to: MASK },
      { path: 'x.password', from: MASK, to: MASK },
    ]);
    assert.doesNotMatch(JSON.stringify(d), /old|new|abc|def|p1|p2|pw@/);
    assert.equal(maskValue('hooks.dir', '/etc/hooks'), '/etc/hooks');
    assert.equal(maskValue('cdr.csvPath', '/var/log/asterisk/cdr-csv/Master.csv'), '/var/log/asterisk/cdr-csv/Master.csv');
  });
});

describe('audit entries', () => {
  test('a settings save names its sections and its changes; text and CSV forms', () => {
    const e = settingsEntry(ACTOR, 1_000, 'settings.save', { tasks: { missedCalls: false } }, { tasks: { missedCalls: true } });
    assert.deepEqual(e, { at: 1_000, user: 'ops', role: 'admin', ip: '10.0.0.9', action: 'settings.save', target: 'tasks', details: { changes: [{ path: 'tasks.missedCalls', from: false, to: true }] } });
    assert.equal(detailsText(e.details), 'tasks.missedCalls: false → true');
    assert.equal(settingsEntry(ACTOR, 1, 'settings.reset', { a: 1 }, { a: 1 }).target, '');
    const o = auditEntry(ACTOR, 2_000, 'outbox.retry', '7', { id: '7', ok: true });
    assert.equal(detailsText(o.details), 'id="7" ok=true');
    assert.equal(auditCsvRow({ id: 3, ...o }), '3,1970-01-01T00:00:02.000Z,ops,admin,10.0.0.9,outbox.retry,7,"id=""7"" ok=true"');
  });
  test('the in-memory log pages newest first', async () => {
    const log = memoryAuditLog();
    for (let i = 1; i <= 5; i++) await log.append(auditEntry(ACTOR, i, 'hooks.enable', `p${i}`, { on: true }));
    const p = await log.page({ limit: 2, offset: 1 });
    assert.equal(p.total, 5);
    assert.deepEqual(p.rows.map((r) => [r.id, r.target]), [[4, 'p4'], [3, 'p3']]);
  });
});
