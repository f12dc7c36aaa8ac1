/**
 * Who finishes a click-to-call: with the call tracker and the CRM flow (CallToCrm) wired on the
 * same AMI client, every click is finished exactly once — by the CRM flow when a channel carried
 * B24_CALL_ID (answered, busy, no answer), by ClickToCall when none did (unknown endpoint).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../src/config/schema.js';
import { trackerConfig } from '../../src/core/call/classify.js';
import { applyAmiEvent, createTrackerState } from '../../src/core/call/tracker.js';
import { CallToCrm } from '../../src/flow/call-to-crm.js';
import { captureLogger } from '../bitrix/capture-logger.js';
import { portalOf, startHarness, type Harness } from './harness.js';

async function until(pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('click-to-call with the tracker and the CRM flow', () => {
  let h: Harness;
  let crm: CallToCrm;
  const crmLines: string[] = [];
  before(async () => {
    h = await startHarness();
    const config = configSchema.parse({ bitrix: { auth: 'webhook', webhookUrl: 'http://127.0.0.1:1/rest/1/x/' }, pbx: { trunks: ['trunk'] } });
    crm = new CallToCrm({
      config, users: h.directory, sink: h.sink, calls: { getCall: async () => undefined }, tzOffsetMinutes: 180,
      logger: captureLogger(crmLines),
    });
    const state = createTrackerState(trackerConfig({ extensions: h.directory.innerPhones(), trunks: ['trunk'] }));
    h.ami.on('event', (m) => {
      for (const change of applyAmiEvent(state, m, Date.now()).changes) void crm.handle(change);
    });
  });
  after(async () => {
    await crm.idle();
    await h.close();
  });

  const finishes = (callId: string) => portalOf(h.emu).inspect().finishes.filter((f) => f.callId === callId);
  const keysOf = (callId: string) => h.sink.sent.filter((c) => c.method === 'telephony.externalcall.finish' && c.params.CALL_ID === callId).map((c) => c.idempotencyKey);

  async function clickAndWait(userId: number, phone: string): Promise<string> {
    const { callId } = portalOf(h.emu).clickToCall({ userId, phone });
    await h.settle();
    await until(() => finishes(callId).length > 0);
    await new Promise((r) => setTimeout(r, 150)); // a second finish would arrive by now
    await crm.idle();
    return callId;
  }

  test('answered: finished once by the CRM flow with 200', async () => {
    const callId = await clickAndWait(5, '+4930123411');
    const fin = finishes(callId);
    assert.equal(fin.length, 1);
    assert.equal(fin[0]!.params.STATUS_CODE, '200');
    assert.equal(String(fin[0]!.params.USER_ID), '5');
    assert.equal(keysOf(callId).length, 1);
    assert.doesNotMatch(keysOf(callId)[0]!, /^c2c:/);
  });

  test('busy: finished once by the CRM flow with 486', async () => {
    const callId = await clickAndWait(6, '+4930123412');
    const fin = finishes(callId);
    assert.equal(fin.length, 1);
    assert.equal(fin[0]!.params.STATUS_CODE, '486');
    assert.doesNotMatch(keysOf(callId)[0]!, /^c2c:/);
    assert.equal(h.flow.stats().failedTracked, 1);
  });

  test('no answer: finished once by the CRM flow with 304', async () => {
    const callId = await clickAndWait(7, '+4930123413');
    const fin = finishes(callId);
    assert.equal(fin.length, 1);
    assert.equal(fin[0]!.params.STATUS_CODE, '304');
  });

  test('unknown endpoint: no channel, so ClickToCall finishes it (480), once', async () => {
    const callId = await clickAndWait(9, '+4930123414');
    const fin = finishes(callId);
    assert.equal(fin.length, 1);
    assert.equal(fin[0]!.params.STATUS_CODE, '480');
    assert.deepEqual(keysOf(callId), [`c2c:${callId}:finish`]);
    assert.deepEqual(crmLines.filter((l) => l.includes('"level":"error"')), [], 'the CRM flow planned every stage');
  });
});
