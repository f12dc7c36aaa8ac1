import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planStage, planFinish, isoWithOffset, finishUser, type PlanCall, type PlanConversation, type PlanSettings, type CrmCallState, type StageName } from './plan.js';
import { Priority, type CrmCommand } from './commands.js';

const S: PlanSettings = { defaultUserId: 1, missedUserId: 9, tzOffsetMinutes: 180, lineNumber: '5551000', crmCreate: true, crmSource: 'CALL', cardTtlMs: 60_000, addToChat: true };
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const OK = { register: true, reason: 'no-lists' };

function conv(id: string, extension: string, userId: number | undefined, requestedAt: number, acceptedAt?: number, endedAt?: number): PlanConversation {
  return { id, extension, userId, requestedAt, acceptedAt, endedAt };
}
function call(conversations: PlanConversation[], extra: Partial<PlanCall> = {}): PlanCall {
  return { callKey: 'c1', direction: 'incoming', clientNumber: '+4930123456', did: '5551000', trunk: 'trunk', startedAt: T0, conversations, ...extra };
}
function run(steps: Array<[StageName, PlanCall, string | undefined, boolean?]>) {
  let state: CrmCallState | undefined;
  const all: CrmCommand[] = [];
  for (const [stage, c, convId, recordingPending] of steps) {
    const out = planStage(state, { stage, at: T0 + 1000, call: c, conversationId: convId, gate: OK, recordingPending: recordingPending ?? false }, S);
    state = out.state;
    all.push(...out.commands);
  }
  return { state: state!, commands: all, summary: all.map((c) => `${c.method.replace('telephony.externalcall.', '')} ${JSON.stringify(c.params['USER_ID'])}`) };
}

test('scenario 1: an incoming call to an extension: register SHOW=0, show, finish', () => {
  const ringing = call([conv('a', '101', 5, T0 + 100)]);
  const answered = call([conv('a', '101', 5, T0 + 100, T0 + 3100)], { answeredAt: T0 + 3100 });
  const ended = call([conv('a', '101', 5, T0 + 100, T0 + 3100, T0 + 8100)], { answeredAt: T0 + 3100, endedAt: T0 + 8100, statusCode: '200' });
  const r = run([['conversation_requested', ringing, 'a'], ['conversation_accepted', answered, 'a'], ['conversation_ended', ended, 'a'], ['call_ended', ended, undefined]]);
  assert.deepEqual(r.summary, ['register 5', 'show 5', 'finish 5']);
  const [reg, show, fin] = r.commands;
  assert.deepEqual(reg!.params, { USER_ID: 5, PHONE_NUMBER: '+4930123456', TYPE: 2, CALL_START_DATE: '2026-11-22T13:00:00+03:00', CRM_CREATE: 1, SHOW: 0, EXTERNAL_CALL_ID: 'c1', CRM_SOURCE: 'CALL', LINE_NUMBER: '5551000' });
  assert.equal(reg!.priority, Priority.live);
  assert.deepEqual(show!.params['CALL_ID'], { $ref: 'register', path: ['CALL_ID'] });
  assert.equal(show!.expiresAt, T0 + 1000 + 60_000);
  assert.deepEqual(fin!.params, { CALL_ID: { $ref: 'register', path: ['CALL_ID'] }, USER_ID: 5, DURATION: 5, STATUS_CODE: '200', ADD_TO_CHAT: 1 });
  assert.equal(fin!.expiresAt, undefined);
  assert.equal(new Set(r.commands.map((c) => c.idempotencyKey)).size, r.commands.length);
});

test('scenario 2a: simultaneous queue — every rung agent sees it, the others lose it when one answers', () => {
  const c2 = call([conv('a', '101', 5, T0), conv('b', '102', 6, T0)]);
  const ans = call([conv('a', '101', 5, T0, undefined, T0 + 2000), conv('b', '102', 6, T0, T0 + 2000)], { answeredAt: T0 + 2000 });
  const end = call([conv('a', '101', 5, T0, undefined, T0 + 2000), conv('b', '102', 6, T0, T0 + 2000, T0 + 9000)], { answeredAt: T0 + 2000, endedAt: T0 + 9000, statusCode: '200' });
  const r = run([['conversation_requested', c2, 'a'], ['conversation_requested', c2, 'b'], ['conversation_accepted', ans, 'b'], ['conversation_ended', ans, 'a'], ['call_ended', end, undefined]]);
  assert.deepEqual(r.summary, ['register 5', 'show 5', 'show 6', 'hide 5', 'finish 6']);
});

test('scenario 2b: sequential queue — show, hide, show for the next', () => {
  const a = conv('a', '101', 5, T0);
  const aEnded = conv('a', '101', 5, T0, undefined, T0 + 5000);
  const b = conv('b', '102', 6, T0 + 5000);
  const r = run([
    ['conversation_requested', call([a]), 'a'],
    ['conversation_ended', call([aEnded]), 'a'],
    ['conversation_requested', call([aEnded, b]), 'b'],
    ['conversation_ended', call([aEnded, conv('b', '102', 6, T0 + 5000, undefined, T0 + 10000)]), 'b'],
    ['call_ended', call([aEnded, conv('b', '102', 6, T0 + 5000, undefined, T0 + 10000)], { endedAt: T0 + 10000, statusCode: '304' }), undefined],
  ]);
  assert.deepEqual(r.summary, ['register 5', 'show 5', 'hide 5', 'show 6', 'hide 6', 'finish 6']);
  assert.equal(r.commands.at(-1)!.params['STATUS_CODE'], '304');
  assert.equal(r.commands.at(-1)!.params['DURATION'], 0);
});

test('transfer: the new extension sees the card; the longest talker owns the call', () => {
  const a = conv('a', '101', 5, T0, T0 + 1000, T0 + 4000); // 3 s
  const b = conv('b', '103', 7, T0 + 4000, T0 + 5000, T0 + 20000); // 15 s
  const r = run([
    ['conversation_requested', call([conv('a', '101', 5, T0)]), 'a'],
    ['conversation_accepted', call([conv('a', '101', 5, T0, T0 + 1000)], { answeredAt: T0 + 1000 }), 'a'],
    ['conversation_requested', call([a, conv('b', '103', 7, T0 + 4000)], { answeredAt: T0 + 1000 }), 'b'],
    ['conversation_accepted', call([a, conv('b', '103', 7, T0 + 4000, T0 + 5000)], { answeredAt: T0 + 1000 }), 'b'],
    ['call_ended', call([a, b], { answeredAt: T0 + 1000, endedAt: T0 + 20000, statusCode: '200' }), undefined],
  ]);
  assert.deepEqual(r.summary, ['register 5', 'show 5', 'show 7', 'hide 5', 'finish 7']);
  assert.equal(r.commands.at(-1)!.params['DURATION'], 19);
});

test('IVR abandon: nobody rang — registered late for the missed-calls user and finished as missed', () => {
  const r = run([['call_ended', call([], { endedAt: T0 + 7000, statusCode: '304' }), undefined]]);
  assert.deepEqual(r.summary, ['register 9', 'finish 9']);
  assert.equal(r.commands[0]!.priority, Priority.late);
});

test('recording not ready: hide now, finish later exactly once', () => {
  const c = call([conv('a', '101', 5, T0, T0 + 1000, T0 + 5000)], { answeredAt: T0 + 1000, endedAt: T0 + 5000, statusCode: '200' });
  const r = run([['conversation_requested', call([conv('a', '101', 5, T0)]), 'a'], ['call_ended', c, undefined, true]]);
  assert.deepEqual(r.summary, ['register 5', 'show 5', 'hide 5']);
  assert.equal(r.state.finishDeferred, true);
  const fin = planFinish(r.state, c, S);
  assert.deepEqual(fin.commands.map((x) => x.method), ['telephony.externalcall.finish']);
  assert.deepEqual(planFinish(fin.state, c, S).commands, []);
});

test('outgoing call: TYPE 1 for the calling extension', () => {
  const c = call([conv('a', '101', 5, T0)], { direction: 'outgoing' });
  const out = planStage(undefined, { stage: 'conversation_requested', at: T0, call: c, conversationId: 'a', gate: OK }, S);
  assert.equal(out.commands[0]!.params['TYPE'], 1);
});

test('gate closed: nothing is sent and the reason is kept', () => {
  const c = call([conv('a', '101', 5, T0)]);
  const out = planStage(undefined, { stage: 'conversation_requested', at: T0, call: c, conversationId: 'a', gate: { register: false, reason: 'blacklisted: extension 101' } }, S);
  assert.deepEqual(out.commands, []);
  assert.equal(out.state.skipped, 'blacklisted: extension 101');
  const later = planStage(out.state, { stage: 'call_ended', at: T0, call: c, gate: OK }, S);
  assert.deepEqual(later.commands, []);
});

test('click-to-call: no register; the known CALL_ID is finished', () => {
  const c = call([conv('a', '101', 5, T0, T0 + 2000, T0 + 6000)], { direction: 'outgoing', b24CallId: 'externalCall.abc', answeredAt: T0 + 2000, endedAt: T0 + 6000, statusCode: '200' });
  const r = run([['conversation_requested', c, 'a'], ['call_ended', c, undefined]]);
  assert.deepEqual(r.summary, ['finish 5']);
  assert.equal(r.commands[0]!.params['CALL_ID'], 'externalCall.abc');
});

test('helpers: ISO date with offset, finish user fallback', () => {
  assert.equal(isoWithOffset(Date.UTC(2026, 0, 1, 0, 0, 0), -330), '2025-12-31T18:30:00-05:30');
  assert.equal(finishUser(call([conv('a', '101', undefined, T0)]), 42), 42);
});

test('an Originate rings the employee before the client number is known: register once it is', () => {
  const ringing = call([conv('a', '101', 5, T0)], { direction: 'outgoing', clientNumber: 'anonymous' });
  const first = planStage(undefined, { stage: 'conversation_requested', at: T0, call: ringing, conversationId: 'a', gate: OK }, S);
  assert.deepEqual(first.commands, []);
  assert.equal(first.state.registered, false);
  const answered = call([conv('a', '101', 5, T0, T0 + 4000)], { direction: 'outgoing', clientNumber: '+4930123456', answeredAt: T0 + 4000 });
  const second = planStage(first.state, { stage: 'conversation_accepted', at: T0 + 4000, call: answered, conversationId: 'a', gate: OK }, S);
  assert.deepEqual(second.commands.map((c) => `${c.method} ${JSON.stringify(c.params['USER_ID'])}`), ['telephony.externalcall.register 5', 'telephony.externalcall.show 5']);
  assert.equal(second.commands[0]!.params['PHONE_NUMBER'], '+4930123456');
});

test('hook surface: the register carries exactly the eight process_registration_params fields plus EXTERNAL_CALL_ID', () => {
  const out = planStage(undefined, { stage: 'conversation_requested', at: T0, call: call([conv('a', '101', 5, T0)]), conversationId: 'a', gate: OK }, S);
  const reg = out.commands.find((c) => c.step === 'register')!;
  assert.deepEqual(Object.keys(reg.params).sort(), ['CALL_START_DATE', 'CRM_CREATE', 'CRM_SOURCE', 'EXTERNAL_CALL_ID', 'LINE_NUMBER', 'PHONE_NUMBER', 'SHOW', 'TYPE', 'USER_ID']);
  assert.equal(out.state.registeredUserId, 5);
  // The show right after it references the register result: the show hook gets no CALL_ID yet.
  assert.deepEqual(out.commands.find((c) => c.step.startsWith('show:'))!.params['CALL_ID'], { $ref: 'register', path: ['CALL_ID'] });
});

test('a card taken away by the show hook is offered again when the extension answers', () => {
  const first = planStage(undefined, { stage: 'conversation_requested', at: T0, call: call([conv('a', '101', 5, T0)]), conversationId: 'a', gate: OK }, S);
  // The flow dropped the show (customize_show_call_card answered USER_ID 0): nobody sees the card.
  const suppressed = { ...first.state, shownTo: [] };
  const ans = planStage(suppressed, { stage: 'conversation_accepted', at: T0 + 3000, call: call([conv('a', '101', 5, T0, T0 + 3000)], { answeredAt: T0 + 3000 }), conversationId: 'a', gate: OK }, S);
  assert.deepEqual(ans.commands.map((c) => `${c.method} ${JSON.stringify(c.params['USER_ID'])}`), ['telephony.externalcall.show 5']);
  assert.deepEqual(ans.state.shownTo, [5]);
});

test('a callback ordered from Bitrix24 is registered as call type 4', () => {
  const c = call([conv('a', '101', 5, T0, T0 + 1000)], { direction: 'outgoing', callback: true, answeredAt: T0 + 1000 });
  const out = planStage(undefined, { stage: 'conversation_accepted', at: T0 + 1000, call: c, conversationId: 'a', gate: OK }, S);
  assert.equal(out.commands[0]!.params['TYPE'], 4);
});

test('FMC: desk phone and mobile ring for one employee — one card, kept while the mobile talks, finished for them', () => {
  const desk = conv('a', '101', 5, T0);
  const mob = { ...conv('b', '101', 5, T0), mobile: '79161234567' };
  const ringing = call([desk, mob]);
  const answered = call([desk, { ...mob, acceptedAt: T0 + 3000 }], { answeredAt: T0 + 3000 });
  const deskGone = call([{ ...desk, endedAt: T0 + 3000 }, { ...mob, acceptedAt: T0 + 3000 }], { answeredAt: T0 + 3000 });
  const ended = call([{ ...desk, endedAt: T0 + 3000 }, { ...mob, acceptedAt: T0 + 3000, endedAt: T0 + 9000 }], { answeredAt: T0 + 3000, endedAt: T0 + 9000, statusCode: '200' });
  let state: CrmCallState | undefined;
  const notes: string[] = [];
  const cmds: CrmCommand[] = [];
  for (const [stage, c, id] of [['conversation_requested', ringing, 'a'], ['conversation_requested', ringing, 'b'], ['conversation_accepted', answered, 'b'],
    ['conversation_ended', deskGone, 'a'], ['conversation_ended', ended, 'b'], ['call_ended', ended, undefined]] as Array<[StageName, PlanCall, string | undefined]>) {
    const out = planStage(state, { stage, at: T0 + 1000, call: c, conversationId: id, gate: OK, recordingPending: false }, S);
    state = out.state; notes.push(...out.notes); cmds.push(...out.commands);
  }
  assert.deepEqual(cmds.map((c) => `${c.method.replace('telephony.externalcall.', '')} ${JSON.stringify(c.params['USER_ID'])}`), ['register 5', 'show 5', 'finish 5']);
  assert.ok(notes.includes('card shown to user 5 (extension 101 rings)'), notes.join(' | '));

  // Only the mobile rings (unconditional forward): the note says where.
  const only = planStage(undefined, { stage: 'conversation_requested', at: T0, call: call([mob]), conversationId: 'b', gate: OK, recordingPending: false }, S);
  assert.ok(only.notes.includes("card shown to user 5 (extension 101's mobile 79161234567 rings)"), only.notes.join(' | '));
});

test('a rating from the IVR goes with the finish as VOTE; without one there is no VOTE', () => {
  const ended = call([conv('a', '101', 5, T0, T0 + 1000, T0 + 9000)], { answeredAt: T0 + 1000, endedAt: T0 + 9000, statusCode: '200', vote: 4 });
  const fin = planFinish({ ...run([['conversation_requested', call([conv('a', '101', 5, T0)]), 'a']]).state }, ended, S).commands[0];
  assert.equal(fin?.params['VOTE'], 4);
  const plain = planFinish({ ...run([['conversation_requested', call([conv('a', '101', 5, T0)]), 'a']]).state }, { ...ended, vote: undefined }, S).commands[0];
  assert.equal('VOTE' in (plain?.params ?? {}), false);
});
