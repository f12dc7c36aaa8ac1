import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, stickyTarget, stickyWins, talkerQuery } from './routing.js';
import type { LastTalker, StickyNote } from './routing.js';

const T = Date.UTC(2026, 11, 1, 9);
const last: LastTalker = { userId: 7, extension: '102', at: T, callKey: 'k', direction: 'incoming' };

describe('sticky routing (pure parts)', () => {
  test('talkerQuery: the window in days, the talk length in ms, one direction or both', () => {
    assert.deepEqual(talkerQuery({ mode: 'fallback', days: 30, minTalkSeconds: 0, directions: 'both' }, T), { since: T - 30 * DAY_MS, minTalkMs: 0 });
    assert.deepEqual(talkerQuery({ mode: 'first', days: 1, minTalkSeconds: 15, directions: 'incoming' }, T), { since: T - DAY_MS, minTalkMs: 15_000, direction: 'incoming' });
  });

  test('stickyTarget: an active user with an extension now is dialled at that extension; otherwise passed over', () => {
    assert.equal(stickyTarget(undefined, { active: true, innerPhone: '102' }), undefined);
    assert.deepEqual(stickyTarget(last, { active: true, innerPhone: '202' }), { userId: 7, exten: '202', at: T, routed: true });
    assert.deepEqual(stickyTarget(last, { active: false, innerPhone: '102' }), { userId: 7, exten: '102', at: T, routed: false });
    assert.deepEqual(stickyTarget(last, { active: true, innerPhone: '' }), { userId: 7, exten: '102', at: T, routed: false });
    assert.deepEqual(stickyTarget(last, undefined), { userId: 7, exten: '102', at: T, routed: false });
  });

  test('stickyWins: fallback only without a routable responsible; first before a different responsible; off never', () => {
    const s: StickyNote = { userId: 7, exten: '102', at: T, routed: true };
    const passedOver: StickyNote = { ...s, routed: false };
    assert.equal(stickyWins('fallback', s, { routable: false }), true);
    assert.equal(stickyWins('fallback', s, { routable: true, userId: 5 }), false);
    assert.equal(stickyWins('first', s, { routable: true, userId: 5 }), true);
    assert.equal(stickyWins('first', s, { routable: true, userId: 7 }), false, 'the CRM route stands when it is the same user');
    assert.equal(stickyWins('first', s, { routable: false }), true);
    assert.equal(stickyWins('off', s, { routable: false }), false);
    assert.equal(stickyWins('first', passedOver, { routable: false }), false);
    assert.equal(stickyWins('fallback', undefined, { routable: false }), false);
  });
});
