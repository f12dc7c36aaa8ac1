/**
 * Real Asterisk 22.10.1 transcripts (shared fixtures) through the framer, the correlator, the action
 * parsers, the event views and — over loopback — the whole client.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAmiStream } from '../../src/adapters/ami/framing.js';
import { eventName, field, type AmiMessage } from '../../src/adapters/ami/message.js';
import { PendingActions } from '../../src/adapters/ami/pending-actions.js';
import {
  challenge, command, coreShowChannels, getvar, login, logoff, originate, pjsipShowEndpoints, queueStatus, setvar,
  type AmiAction, type AmiActionResult, type AmiRequest,
} from '../../src/adapters/ami/actions.js';
import { asEvent, DialBeginEvent, HangupEvent, viewEvent } from '../../src/adapters/ami/events.js';
import { AmiClient } from '../../src/adapters/ami/client.js';
import { ConnectorError } from '../../src/errors.js';
import { FakeAmiServer } from './fake-ami-server.js';

const DIR = [join(import.meta.dirname, '..', 'fixtures', 'ami'), '/work/shared/fixtures/ami'].find((d) => existsSync(d));
const skip = DIR === undefined ? 'AMI fixtures not found' : false;

/** Lines after the `# ` header. */
function body(name: string): string {
  const lines = readFileSync(join(DIR!, name), 'utf8').split('\n');
  let i = 0;
  while (i < lines.length && lines[i]!.startsWith('# ')) i++;
  return lines.slice(i).join('\n');
}

/** A dialogue file: server bytes (lines without `> `) and the client's actions (`> ` blocks). */
function dialogue(name: string): { server: string; actions: Array<Array<[string, string]>> } {
  const server: string[] = [];
  const actions: Array<Array<[string, string]>> = [];
  let cur: Array<[string, string]> = [];
  for (const raw of body(name).split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line.startsWith('> ') && line !== '>') {
      server.push(raw);
      continue;
    }
    const text = line.slice(2);
    if (text === '') {
      actions.push(cur);
      cur = [];
    } else {
      const c = text.indexOf(':');
      cur.push([text.slice(0, c), text.slice(c + 2)]);
    }
  }
  return { server: server.join('\n'), actions };
}

type Outcome = { err?: ConnectorError; result?: AmiActionResult };

/** Feeds `messages` to a correlator that knows `pending` (ActionID → action). */
function correlate(pending: Record<string, AmiAction>, messages: readonly AmiMessage[]) {
  const out = new Map<string, Outcome>();
  const routing: string[] = [];
  const pa = new PendingActions();
  for (const [id, action] of Object.entries(pending)) {
    pa.add(id, action, 5000, (err, result) => out.set(id, err ? { err } : { result: result! }));
  }
  for (const m of messages) routing.push(pa.handle(m));
  pa.rejectAll(new ConnectorError('TEST_NO_ANSWER', 'no answer in the transcript'));
  return { out, routing };
}

const parsed = <T>(o: Outcome | undefined, req: AmiRequest<T>): T => {
  assert.ok(o?.result, `expected a result, got ${o?.err?.code}`);
  return req.parse(o.result);
};

describe('lab22 transcripts', { skip }, () => {
  test('every lab22 call transcript frames without errors, one message per block', () => {
    const files = readdirSync(DIR!).filter((f) => f.startsWith('lab22-') && !f.startsWith('lab22-p_'));
    assert.ok(files.length >= 15);
    for (const f of files) {
      const text = body(f);
      const r = parseAmiStream(Buffer.from(text, 'utf8'));
      assert.equal(r.errors.length, 0, f);
      assert.equal(r.banner, 'Asterisk Call Manager/11.0.0', f);
      const blocks = text.split('\r\n\r\n').filter((b) => b.trim().length > 0).length;
      assert.equal(r.messages.length, blocks, f);
    }
  });

  test('p_actions_dialogue: every answer is routed to its action and parsed', () => {
    const { server, actions } = dialogue('lab22-p_actions_dialogue.txt');
    assert.equal(actions.length, 19);
    const ids = actions.map((a) => a.find(([k]) => k === 'ActionID')![1]);
    assert.deepEqual(ids, Array.from({ length: 19 }, (_, i) => String(i + 1)));
    const status: AmiAction = { name: 'Status', fields: [] };
    const plain = (name: string): AmiAction => ({ name, fields: [] });
    // ActionID 16 is an async Originate: its OriginateResponse went to every session (see p_actions_events).
    const reqs: Record<string, AmiAction> = {
      1: login({ username: 'crm', secret: 'crmsecret' }), 2: coreShowChannels(), 3: status,
      4: getvar({ variable: 'CHANNEL(linkedid)' }), 5: setvar({ variable: 'CRM_TICKET', value: 'T-4711' }),
      6: getvar({ variable: 'CRM_TICKET' }), 7: getvar({ variable: 'CRM_TICKET' }), 8: command('core show channels'),
      9: queueStatus({ queue: 'support' }), 10: pjsipShowEndpoints(), 11: plain('ExtensionState'), 12: plain('CoreSettings'),
      13: plain('NoSuchAction'), 14: plain('Hangup'), 15: originate({ channel: 'PJSIP/103', exten: '999999' }),
      16: originate({ channel: 'PJSIP/nosuchendpoint', exten: '101' }), 17: plain('Redirect'), 18: plain('Hangup'), 19: logoff(),
    };
    const stream = parseAmiStream(Buffer.from(server, 'utf8'));
    assert.equal(stream.errors.length, 0);
    const broadcast = parseAmiStream(Buffer.from(body('lab22-p_actions_events.txt'), 'utf8')).messages
      .filter((m) => eventName(m) === 'OriginateResponse');
    const { out, routing } = correlate(reqs, [...stream.messages, ...broadcast]);
    assert.ok(routing.every((r) => r === 'consumed' || r === 'completion'), routing.join(','));

    const channels = parsed(out.get('2'), coreShowChannels());
    assert.deepEqual(channels.map((c) => [c.channel, c.callerIdNum, c.connectedLineName, c.exten, c.linkedid, c.durationSeconds, c.bridgeId]), [
      ['PJSIP/trunk-00000047', '+4930123456', 'Alice', '5551006', '1795323195.89', 5, '82e2d59c-5378-411f-80e1-327ff063f9cc'],
      ['PJSIP/101-00000048', '101', 'External Caller', '', '1795323195.89', 5, '82e2d59c-5378-411f-80e1-327ff063f9cc'],
    ]);
    const st = out.get('3')!.result!;
    assert.equal(st.events.length, 1);
    assert.equal(field(st.events[0]!, 'Seconds'), '6');
    assert.equal(field(st.listEnd!, 'Items'), '1');
    assert.equal(parsed(out.get('4'), getvar({ variable: 'x' })), '1795323195.89');
    assert.equal(parsed(out.get('6'), getvar({ variable: 'x' })), 'T-4711');
    assert.equal(out.get('7')!.err!.code, 'AMI_NO_SUCH_CHANNEL');
    assert.deepEqual(parsed(out.get('8'), command('x')).slice(3), ['2 active channels', '1 active call', '41 calls processed']);
    const q = parsed(out.get('9'), queueStatus());
    assert.deepEqual(q.queues.map((p) => [p.queue, p.strategy, p.completed, p.holdTime]), [['support', 'linear', 2, 7]]);
    assert.deepEqual(q.members.map((m) => [m.name, m.location, m.status, m.callsTaken, m.paused]), [
      ['Alice', 'PJSIP/101', 2, 0, false], ['Bob', 'PJSIP/102', 1, 2, false],
    ]);
    const eps = parsed(out.get('10'), pjsipShowEndpoints());
    assert.deepEqual(eps.map((e) => [e.name, e.contacts, e.deviceState, e.activeChannels]), [
      ['101', ['sip:101@127.0.0.11:5061'], 'In use', 1], ['102', ['sip:102@127.0.0.12:5061'], 'Not in use', 0],
      ['103', ['sip:103@127.0.0.13:5061'], 'Not in use', 0], ['trunk', ['sip:127.0.0.2:5090'], 'In use', 1],
    ]);
    assert.equal(field(out.get('12')!.result!.response, 'AsteriskVersion'), '22.10.1');
    assert.equal(out.get('13')!.err!.code, 'AMI_UNKNOWN_ACTION');
    assert.equal(out.get('14')!.err!.code, 'AMI_NO_SUCH_CHANNEL');
    assert.equal(out.get('15')!.err!.code, 'AMI_ACTION_FAILED');
    const orig = parsed(out.get('16'), originate({ channel: 'x' }));
    assert.deepEqual([orig.success, orig.reason, orig.channel, orig.uniqueid], [false, 0, 'PJSIP/nosuchendpoint', undefined]);
    assert.equal(field(out.get('19')!.result!.response, 'Response'), 'Goodbye');
  });

  test('p_login_md5 and p_login_bad: Permission denied before login, Challenge, refused login', () => {
    const md5 = parseAmiStream(Buffer.from(dialogue('lab22-p_login_md5.txt').server, 'utf8')).messages;
    const r1 = correlate({ 0: plainPing(), 1: challenge() }, md5).out;
    assert.equal(r1.get('0')!.err!.code, 'AMI_PERMISSION_DENIED');
    assert.equal(parsed(r1.get('1'), challenge()), '293023717');
    const bad = parseAmiStream(Buffer.from(dialogue('lab22-p_login_bad.txt').server, 'utf8')).messages;
    const r2 = correlate({ 1: login({ username: 'crm', secret: 'wrong-secret' }) }, bad).out;
    assert.equal(r2.get('1')!.err!.details?.['message'], 'Authentication failed');
  });

  test('event views read real events: originate first leg without caller, hangup causes', () => {
    const msgs = parseAmiStream(Buffer.from(body('lab22-d1_originate_pjsip.txt'), 'utf8')).messages;
    const dials = msgs.map((m) => viewEvent(m)).filter((v): v is DialBeginEvent => v instanceof DialBeginEvent);
    assert.ok(dials.length >= 2);
    assert.equal(dials[0]!.caller, undefined, 'the originated first leg has only Dest… keys');
    assert.equal(dials[0]!.dest.channel.startsWith('PJSIP/101-'), true);
    assert.equal(dials[0]!.dialString, '101');
    assert.equal(dials[1]!.caller?.channel.startsWith('PJSIP/101-'), true);
    const hangups = msgs.map((m) => asEvent(m, 'Hangup')).filter((h): h is HangupEvent => h !== undefined);
    assert.ok(hangups.length >= 2);
    assert.deepEqual([...new Set(hangups.map((h) => h.causeText))].sort(), [...new Set(hangups.map((h) => h.get('Cause-txt')!))].sort());
    assert.ok(hangups.every((h) => typeof h.cause === 'number'));
  });
});

function plainPing(): AmiAction {
  return { name: 'Ping', fields: [] };
}

describe('lab22 event stream through the client', { skip }, () => {
  const servers: FakeAmiServer[] = [];
  const clients: AmiClient[] = [];
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.close()));
  });

  test('p_actions_events: every event after the Login response reaches the listener, in order', async () => {
    const text = body('lab22-p_actions_events.txt');
    // Everything after the recorded Login response and before the Logoff answer, sent in one write.
    const start = text.indexOf('Event: FullyBooted');
    const end = text.indexOf('Response: Goodbye');
    const stream = text.slice(start, end);
    const expected = parseAmiStream(Buffer.from(stream, 'utf8')).messages;
    const server = await FakeAmiServer.start({ afterLogin: stream });
    servers.push(server);
    const client = new AmiClient({ host: '127.0.0.1', port: server.port, username: 'crm', secret: 'crmsecret', pingIntervalMs: 0 });
    clients.push(client);
    const got: AmiMessage[] = [];
    client.on('event', (m) => got.push(m));
    await client.connect();
    const deadline = Date.now() + 5000;
    while (got.length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(got.length, 164);
    assert.deepEqual(got.map((m) => m.fields), expected.map((m) => m.fields));
    assert.equal(client.stats.frameErrors, 0);
  });
});
