/** `asterisk-b24 replay`: arguments, portal/config reading, output lines and errors on stderr. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runReplay, trackerConfigFrom, eventTime, prepareTranscript } from './replay.js';
import { makeMessage } from '../adapters/ami/message.js';

const FIXTURES = resolve(import.meta.dirname, '../../../shared/fixtures/ami');

function io(): { out: string[]; err: string[]; sink: { write(s: string): void; err: { write(s: string): void } } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, sink: { write: (s) => out.push(s), err: { write: (s) => err.push(s) } } };
}

const lines = (chunks: string[]): Record<string, unknown>[] =>
  chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('replay command', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'replay-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('prints the stage lines of a transcript, in order', async () => {
    const o = io();
    const code = await runReplay([join(FIXTURES, 'lab22-b2_inbound_busy.txt'), '--stages-only'], o.sink);
    assert.equal(code, 0);
    assert.deepEqual(lines(o.out).map((l) => [l.type, l.stage, l.extension ?? null]), [
      ['stage', 'conversation_requested', '101'],
      ['stage', 'conversation_ended', '101'],
      ['stage', 'call_ended', null],
    ]);
    const end = lines(o.out)[2];
    assert.equal(end?.status, '486');
    assert.equal(end?.did, '5551000');
    assert.equal(end?.client, '+4930123456');
    assert.deepEqual(o.err, []);
  });

  test('--config names trunks and internal contexts (strings or {endpoint} objects)', async () => {
    const cfg = join(dir, 'c.json');
    writeFileSync(cfg, JSON.stringify({ pbx: { trunks: [{ endpoint: 'voipgrid-siproute-docker' }], internalContexts: ['osvpi_account'] } }));
    const o = io();
    assert.equal(await runReplay([join(FIXTURES, 'extcf-internal_answered.txt'), '--config', cfg, '--stages-only'], o.sink), 0);
    const first = lines(o.out)[0];
    assert.equal(first?.direction, 'internal');
    assert.equal(first?.extension, '202');
    const zero = io();
    await runReplay([join(FIXTURES, 'extcf-internal_answered.txt'), '--stages-only'], zero.sink);
    assert.equal(lines(zero.out)[0]?.direction, 'incoming'); // account-id endpoints look like trunks
  });

  test('--portal feeds the known extensions', () => {
    const cfg = trackerConfigFrom({ users: [{ ID: 1, UF_PHONE_INNER: '7001', ACTIVE: true }, { ID: 2, UF_PHONE_INNER: '7002', ACTIVE: false }, { ID: 3 }] }, undefined);
    assert.deepEqual([...cfg.extensions], ['7001']);
    const cfg2 = trackerConfigFrom(undefined, { pbx: { trunks: ['t1'], extensionPattern: '^9\\d{3}$', callIdVariable: 'CRM_CALL_ID' } });
    assert.deepEqual([...cfg2.trunks], ['t1']);
    assert.equal(cfg2.extensionPattern.source, '^9\\d{3}$');
    assert.deepEqual(cfg2.clickToCallVariables, ['CRM_CALL_ID']);
  });

  test('malformed frames become error lines on stderr and the replay goes on', async () => {
    const file = join(dir, 'bad.txt');
    const call = (uid: string) => [
      'Event: Newchannel', 'Channel: PJSIP/trunk-00000001', 'ChannelStateDesc: Ring', 'CallerIDNum: 555123',
      'Context: from-trunk', 'Exten: 5551000', `Uniqueid: ${uid}`, `Linkedid: ${uid}`, '',
      'Event: Hangup', 'Channel: PJSIP/trunk-00000001', 'Context: from-trunk', `Uniqueid: ${uid}`, `Linkedid: ${uid}`, 'Cause: 16', '',
    ].join('\r\n');
    writeFileSync(file, `# header\nAsterisk Call Manager/11.0.0\r\n${call('1.1')}\r\nthis line has no colon\r\nEvent: Newstate\r\n\r\n${call('2.2')}\r\n`);
    const o = io();
    assert.equal(await runReplay([file, '--stages-only'], o.sink), 0);
    assert.deepEqual(lines(o.out).map((l) => [l.call, l.stage, l.status]), [['1.1', 'call_ended', '304'], ['2.2', 'call_ended', '304']]);
    assert.deepEqual(lines(o.err).map((l) => [l.type, l.code]), [['error', 'AMI_FRAME_MALFORMED']]);
  });

  test('usage and unreadable inputs', async () => {
    const a = io();
    assert.equal(await runReplay([], a.sink), 2);
    assert.match(a.err.join(''), /usage: asterisk-b24 replay FILE/);
    const b = io();
    assert.equal(await runReplay(['--bogus', 'x'], b.sink), 2);
    const c = io();
    assert.equal(await runReplay([join(dir, 'missing.txt')], c.sink), 1);
    assert.equal(lines(c.err)[0]?.code, 'REPLAY_FILE_UNREADABLE');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{not json');
    const d = io();
    assert.equal(await runReplay([join(FIXTURES, 'lab22-i_ivr_abandon.txt'), '--config', bad], d.sink), 1);
    assert.equal(lines(d.err)[0]?.code, 'REPLAY_CONFIG_INVALID');
    const e = io();
    assert.equal(await runReplay([join(FIXTURES, 'lab22-i_ivr_abandon.txt'), '--portal', join(dir, 'nope.json')], e.sink), 1);
    assert.equal(lines(e.err)[0]?.code, 'REPLAY_PORTAL_INVALID');
  });
});

describe('replay helpers', () => {
  test('event time: Timestamp, else EventTV, else previous + 1 ms', () => {
    assert.equal(eventTime(makeMessage([['Event', 'X'], ['Timestamp', '1741614725.201721']]), 5), 1741614725202);
    assert.equal(eventTime(makeMessage([['Event', 'X'], ['EventTV', '2025-03-10T14:52:05.201+0100']]), 5), 1741614725201);
    assert.equal(eventTime(makeMessage([['Event', 'X']]), 5), 6);
  });

  test('transcript preparation drops the header, client lines, comments and pre-banner noise', () => {
    const raw = Buffer.from('# h1\n# h2\nuser@host$ nc pbx 5038\r\nAsterisk Call Manager/11.0.0\r\n> Action: Ping\r\n> \r\nResponse: Success\r\n#note\r\n\r\n');
    const { header, stream } = prepareTranscript(raw);
    assert.deepEqual(header, ['h1', 'h2']);
    assert.equal(stream.toString(), 'Asterisk Call Manager/11.0.0\r\nResponse: Success\r\n\r\n');
  });
});

test('without --stages-only, the REST commands the emulator executed follow the stage that caused them', async () => {
  let out = '';
  const code = await runReplay([join(FIXTURES, 'lab22-a_inbound_answered.txt'), '--portal', join(import.meta.dirname, '../../test/golden/lab22.portal.json')],
    { write: (s: string) => { out += s; }, err: { write: () => {} } });
  assert.equal(code, 0);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const seq = lines.map((l) => (l['type'] === 'stage' ? `stage ${String(l['stage'])}` : `rest ${String(l['method'])}`));
  assert.deepEqual(seq, [
    'stage conversation_requested', 'rest user.get', 'rest telephony.externalcall.register', 'rest telephony.externalcall.show',
    'stage conversation_accepted', 'stage conversation_ended', 'stage call_ended', 'rest telephony.externalcall.finish',
  ]);
  const finish = lines.at(-1)!;
  assert.equal((finish['params'] as Record<string, unknown>)['STATUS_CODE'], '200');
});
