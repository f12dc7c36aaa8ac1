/**
 * Restart recovery (CoreShowChannels → synthetic events, src/core/call/seed.ts) of calls dialled
 * through a trunk: the DialBegin carries the Dial target from the dialling channel's ApplicationData,
 * as the real DialString would — so a call forwarded to an employee's mobile is theirs after a restart
 * too (FMC), and an outgoing call keeps the number dialled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedEvents, type LiveChannel } from '../../src/core/call/seed.js';
import { createTrackerState, applyAmiEvent } from '../../src/core/call/tracker.js';
import { trackerConfig } from '../../src/core/call/classify.js';
import type { StageChange } from '../../src/core/call/model.js';

function live(p: Partial<LiveChannel> & Pick<LiveChannel, 'channel' | 'uniqueid' | 'linkedid'>): LiveChannel {
  return {
    state: 6, stateDesc: 'Up', callerIdNum: undefined, callerIdName: undefined, connectedLineNum: undefined, connectedLineName: undefined,
    context: 'from-internal', exten: 's', priority: 1, application: 'AppDial', applicationData: '(Outgoing Line)', bridgeId: '', ...p,
  };
}

function seed(channels: readonly LiveChannel[], mobiles: Array<[string, string]> = []): StageChange[] {
  const state = createTrackerState(trackerConfig({ mobiles }));
  const out: StageChange[] = [];
  for (const ev of seedEvents(channels, () => false)) out.push(...applyAmiEvent(state, ev, 1_000).changes);
  return out;
}

test('a call ringing desk and mobile, answered on the mobile, seen first after a restart: the mobile conversation is the employee\'s', () => {
  const caller = live({ channel: 'PJSIP/trunk-00000000', uniqueid: '1796600001.0', linkedid: '1796600001.0', context: 'from-trunk', exten: '5551014', callerIdNum: '+4930123456', application: 'Dial', applicationData: 'PJSIP/101&PJSIP/79161234567@trunk,20', bridgeId: 'b1' });
  const mobile = live({ channel: 'PJSIP/trunk-00000002', uniqueid: '1796600001.2', linkedid: '1796600001.0', exten: '5551014', bridgeId: 'b1' });
  const changes = seed([caller, mobile], [['+79161234567', '101']]);
  const conv = changes.find((c) => c.stage === 'conversation_accepted')?.conversation;
  assert.deepEqual([conv?.extension, conv?.mobile], ['101', '79161234567']);
});

test('an outgoing call seen first after a restart keeps the number dialled, not the channel\'s exten', () => {
  const caller = live({ channel: 'PJSIP/102-00000005', uniqueid: '1796600100.5', linkedid: '1796600100.5', exten: '049301234', callerIdNum: '102', application: 'Dial', applicationData: 'PJSIP/49301234@trunk,30', bridgeId: 'b2' });
  const out = live({ channel: 'PJSIP/trunk-00000006', uniqueid: '1796600100.6', linkedid: '1796600100.5', exten: 's', bridgeId: 'b2' });
  const changes = seed([caller, out]);
  assert.equal(changes.at(-1)?.call.clientNumber, '49301234');
  assert.equal(changes.at(-1)?.call.direction, 'outgoing');
});
