import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitLegs, legsOf } from './legs.js';
import type { CallSummary, ConversationSummary, StageChange } from '../call/model.js';

const T = 1_000_000;
function conv(id: string, ext: string, req: number, acc?: number, end?: number, reason?: string): ConversationSummary {
  return { id, extension: ext, channel: `PJSIP/${ext}-1`, uniqueid: `${id}.u`, stage: end ? 'conversation_ended' : acc ? 'conversation_accepted' : 'conversation_requested', via: 'dial', requestedAt: req, ...(acc ? { acceptedAt: acc } : {}), ...(end ? { endedAt: end } : {}), ...(reason ? { endReason: reason } : {}) } as ConversationSummary;
}
function change(stage: StageChange['stage'], convs: ConversationSummary[], convId?: string, extra: Partial<CallSummary> = {}): StageChange {
  const call = { callKey: 'k', direction: 'incoming', clientNumber: '+4930', startedAt: T, recordings: [], conversations: convs, ...extra } as CallSummary;
  const c = convId ? convs.find((x) => x.id === convId) : undefined;
  return { callKey: 'k', stage, at: T + 100, call, ...(c ? { conversation: c } : {}) };
}

test('a blind transfer makes two legs: the first ends when the second starts ringing', () => {
  const ended = new Set<number>();
  const a1 = conv('#1', '101', T, T + 1000);
  assert.deepEqual(splitLegs(change('conversation_requested', [conv('#1', '101', T)], '#1'), ended).map((c) => `${c.callKey} ${c.stage}`), ['k conversation_requested']);
  splitLegs(change('conversation_accepted', [a1], '#1'), ended);
  const a1t = conv('#1', '101', T, T + 1000, T + 5000, 'transfer');
  const b = conv('#2', '102', T + 5000);
  const out = splitLegs(change('conversation_requested', [a1t, b], '#2'), ended);
  assert.deepEqual(out.map((c) => `${c.callKey} ${c.stage}`), ['k call_ended', 'k#2 conversation_requested']);
  assert.equal(out[0]!.call.endedAt, T + 5000);
  assert.equal(out[0]!.call.statusCode, '200');
  assert.equal(out[1]!.call.startedAt, T + 5000);
  assert.deepEqual(out[1]!.call.conversations.map((c) => c.extension), ['102']);
  const b2 = conv('#2', '102', T + 5000, T + 6000, T + 9000, 'hangup');
  const end = splitLegs(change('call_ended', [a1t, b2], undefined, { endedAt: T + 9000, answeredAt: T + 1000, statusCode: '200' }), ended);
  assert.deepEqual(end.map((c) => `${c.callKey} ${c.stage}`), ['k#2 call_ended']);
  assert.equal(end[0]!.call.answeredAt, T + 6000);
});

test('a call without transfer is one leg with the original key', () => {
  const ended = new Set<number>();
  const out = splitLegs(change('call_ended', [conv('#1', '101', T, undefined, T + 3000, 'NOANSWER')], undefined, { endedAt: T + 3000, statusCode: '304' }), ended);
  assert.deepEqual(out.map((c) => `${c.callKey} ${c.stage} ${c.call.statusCode}`), ['k call_ended 304']);
  assert.deepEqual(legsOf([conv('#1', '101', T)]), [1]);
  const ivr = splitLegs(change('call_ended', [], undefined, { endedAt: T + 3000, statusCode: '304' }), new Set());
  assert.deepEqual(ivr.map((c) => `${c.callKey} ${c.stage}`), ['k call_ended']);
});
