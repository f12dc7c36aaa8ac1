import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AmiFramer, formatMessage, parseAmiStream } from '../../src/adapters/ami/framing.js';
import { field, fieldAll, type AmiMessage } from '../../src/adapters/ami/message.js';
import type { ConnectorError } from '../../src/errors.js';
import { seededRandom as prng } from '../../src/core/util/prng.js';

const BANNER = 'Asterisk Call Manager/11.0.0';

/** Frames `chunks` one push at a time and collects everything the framer reports. */
function frame(chunks: ReadonlyArray<Buffer | string>, options: ConstructorParameters<typeof AmiFramer>[1] = {}) {
  const banners: string[] = [];
  const messages: AmiMessage[] = [];
  const errors: ConnectorError[] = [];
  const framer = new AmiFramer({
    onBanner: (b) => banners.push(b),
    onMessage: (m) => messages.push(m),
    onError: (e) => errors.push(e),
  }, options);
  for (const c of chunks) framer.push(c);
  framer.end();
  return { banners, messages, errors };
}

const fieldsOf = (msgs: readonly AmiMessage[]) => msgs.map((m) => m.fields.map(([k, v]) => [k, v]));

// A realistic slice of a session: banner, login response and FullyBooted in one read, an event with a
// Cyrillic caller name (2-byte UTF-8) and a 3-byte character, repeated keys, empty values.
const SESSION = [
  BANNER,
  'Response: Success', 'ActionID: a1b2-1', 'Message: Authentication accepted', '',
  'Event: FullyBooted', 'Privilege: system,all', 'Uptime: 4268', 'LastReload: 4268', 'Status: Fully Booted', '',
  'Event: Newchannel', 'Privilege: call,all', 'Channel: PJSIP/trunk-00000047', 'ChannelState: 4',
  'ChannelStateDesc: Ring', 'CallerIDNum: +4930123456', 'CallerIDName: Черкесск €', 'AccountCode: ',
  'ChanVariable: B24_CALL_ID=abc', 'ChanVariable: FROM_DID=5551006', 'Uniqueid: 1795323195.89', '',
].join('\r\n') + '\r\n';

describe('AmiFramer: line endings and banner', () => {
  test('CRLF stream: banner, then blocks ended by an empty line', () => {
    const r = frame([SESSION]);
    assert.deepEqual(r.banners, [BANNER]);
    assert.equal(r.errors.length, 0);
    assert.equal(r.messages.length, 3);
    assert.deepEqual(fieldsOf(r.messages)[0], [['Response', 'Success'], ['ActionID', 'a1b2-1'], ['Message', 'Authentication accepted']]);
    assert.equal(field(r.messages[1]!, 'event'), 'FullyBooted');
  });

  test('bare LF line ends give the same messages as CRLF', () => {
    const lf = frame([SESSION.replaceAll('\r\n', '\n')]);
    const crlf = frame([SESSION]);
    assert.deepEqual(fieldsOf(lf.messages), fieldsOf(crlf.messages));
    assert.deepEqual(lf.banners, [BANNER]);
  });

  test('mixed CRLF and LF inside one block', () => {
    const r = frame(['Response: Success\r\nActionID: 7\nMessage: ok\r\n\n']);
    assert.deepEqual(fieldsOf(r.messages), [[['Response', 'Success'], ['ActionID', '7'], ['Message', 'ok']]]);
  });

  test('banner is reported once and is not a message; expectBanner:false treats line 1 as data', () => {
    const r = frame([`${BANNER}\r\nResponse: Success\r\n\r\n`]);
    assert.deepEqual(r.banners, [BANNER]);
    assert.equal(r.messages.length, 1);
    const nb = frame(['Event: Ping\r\n\r\n'], { expectBanner: false });
    assert.deepEqual(nb.banners, []);
    assert.deepEqual(fieldsOf(nb.messages), [[['Event', 'Ping']]]);
  });

  test('banner split over several reads', () => {
    const r = frame(['Asterisk Call', ' Manager/11.', '0.0\r', '\nEvent: X\r\n\r\n']);
    assert.deepEqual(r.banners, [BANNER]);
    assert.equal(field(r.messages[0]!, 'Event'), 'X');
  });
});

describe('AmiFramer: split reads', () => {
  const whole = frame([Buffer.from(SESSION, 'utf8')]);

  test('a split at every byte offset (incl. inside multi-byte UTF-8) yields identical messages', () => {
    const bytes = Buffer.from(SESSION, 'utf8');
    assert.ok(bytes.length > SESSION.length, 'the sample must contain multi-byte characters');
    for (let i = 0; i <= bytes.length; i++) {
      const r = frame([bytes.subarray(0, i), bytes.subarray(i)]);
      assert.deepEqual(fieldsOf(r.messages), fieldsOf(whole.messages), `split at ${i}`);
      assert.deepEqual(r.banners, [BANNER], `split at ${i}`);
      assert.equal(r.errors.length, 0, `split at ${i}`);
    }
  });

  test('one byte per read', () => {
    const bytes = Buffer.from(SESSION, 'utf8');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
    const r = frame(chunks);
    assert.deepEqual(fieldsOf(r.messages), fieldsOf(whole.messages));
    assert.equal(field(r.messages[2]!, 'CallerIDName'), 'Черкесск €');
  });

  test('invalid UTF-8 becomes U+FFFD and does not throw', () => {
    const bad = Buffer.concat([Buffer.from('Event: X\r\nCallerIDName: a'), Buffer.from([0xff, 0xc3]), Buffer.from('b\r\n\r\n')]);
    const r = frame([bad]);
    assert.equal(r.errors.length, 0);
    assert.equal(field(r.messages[0]!, 'CallerIDName'), 'a\uFFFD\uFFFDb');
  });
});

describe('AmiFramer: keys and values', () => {
  test('repeated keys keep every value in order; lookups are case-insensitive', () => {
    const r = frame([Buffer.from(SESSION)]);
    const ev = r.messages[2]!;
    assert.deepEqual(fieldAll(ev, 'chanvariable'), ['B24_CALL_ID=abc', 'FROM_DID=5551006']);
    assert.equal(field(ev, 'UNIQUEID'), '1795323195.89');
  });

  test('a value containing ": " keeps it; only the first colon splits', () => {
    const r = frame(['Event: UserEvent\r\nMessage: a: b: c\r\nCallerID: "CRM: Acme" <1>\r\n\r\n'], { expectBanner: false });
    assert.equal(field(r.messages[0]!, 'Message'), 'a: b: c');
    assert.equal(field(r.messages[0]!, 'CallerID'), '"CRM: Acme" <1>');
  });

  test('Key:value without a space, and a value starting with two spaces keeps one', () => {
    const r = frame(['Event:Hangup\r\nCause:16\r\nData:  x\r\n\r\n'], { expectBanner: false });
    assert.deepEqual(fieldsOf(r.messages), [[['Event', 'Hangup'], ['Cause', '16'], ['Data', ' x']]]);
  });

  test('empty values: "AccountCode: " and "AccountCode:" both give ""', () => {
    const r = frame(['Event: X\r\nAccountCode: \r\nLanguage:\r\n\r\n'], { expectBanner: false });
    assert.equal(field(r.messages[0]!, 'AccountCode'), '');
    assert.equal(field(r.messages[0]!, 'Language'), '');
    assert.equal(r.messages[0]!.fields.length, 3);
  });

  test('Command output (Asterisk 14+): one Output field per line, in order', () => {
    const r = frame([
      'Response: Success\r\nActionID: 8\r\nMessage: Command output follows\r\n' +
      'Output: Channel              Location\r\nOutput: 2 active channels\r\nOutput: \r\n\r\n',
    ], { expectBanner: false });
    assert.deepEqual(fieldAll(r.messages[0]!, 'Output'), ['Channel              Location', '2 active channels', '']);
  });

  test('legacy Response: Follows output up to --END COMMAND-- becomes Output fields', () => {
    const r = frame([
      'Response: Follows\r\nChannel (Context)   State\r\n\r\n1 active channel\r\n--END COMMAND--\r\n\r\n' +
      'Event: After\r\n\r\n',
    ], { expectBanner: false });
    assert.equal(r.messages.length, 2);
    assert.deepEqual(fieldAll(r.messages[0]!, 'Output'), ['Channel (Context)   State', '1 active channel']);
    assert.equal(field(r.messages[1]!, 'Event'), 'After');
  });

  test('legacy Follows with output ending on the same line as --END COMMAND--', () => {
    const r = frame(['Response: Follows\r\nlast line--END COMMAND--\r\n\r\n'], { expectBanner: false });
    assert.deepEqual(fieldAll(r.messages[0]!, 'Output'), ['last line']);
  });

  // Asterisk ≤13 action_command writes "Response: Follows", "Privilege: Command", "ActionID: <id>" and
  // only then the raw output: the two header lines must stay fields, or the response loses its ActionID.
  test('legacy Follows keeps the Privilege and ActionID headers as fields', () => {
    const r = frame([
      'Response: Follows\r\nPrivilege: Command\r\nActionID: 42\r\nsip show peers output\r\n--END COMMAND--\r\n\r\n',
    ], { expectBanner: false });
    assert.equal(field(r.messages[0]!, 'ActionID'), '42');
    assert.deepEqual(fieldAll(r.messages[0]!, 'Output'), ['sip show peers output']);
  });
});

describe('AmiFramer: errors', () => {
  test('a line without a colon fails its block with AMI_FRAME_MALFORMED; the next block is delivered', () => {
    const r = frame(['Event: A\r\nthis is garbage\r\nKey: v\r\n\r\nEvent: B\r\n\r\n'], { expectBanner: false });
    assert.deepEqual(r.errors.map((e) => e.code), ['AMI_FRAME_MALFORMED']);
    assert.deepEqual(r.messages.map((m) => field(m, 'Event')), ['B']);
    assert.equal(r.errors[0]!.details?.['line'], 'this is garbage');
  });

  test('a line starting with a colon is malformed', () => {
    const r = frame([': x\r\n\r\nEvent: B\r\n\r\n'], { expectBanner: false });
    assert.deepEqual(r.errors.map((e) => e.code), ['AMI_FRAME_MALFORMED']);
    assert.equal(r.messages.length, 1);
  });

  test('stream ending inside a block: AMI_FRAME_TRUNCATED, nothing delivered for it', () => {
    const r = frame(['Event: A\r\n\r\nEvent: B\r\nKey: v'], { expectBanner: false });
    assert.deepEqual(r.messages.map((m) => field(m, 'Event')), ['A']);
    assert.deepEqual(r.errors.map((e) => e.code), ['AMI_FRAME_TRUNCATED']);
  });

  test('too many lines: AMI_FRAME_TOO_MANY_LINES, then recovery', () => {
    const r = frame(['Event: A\r\nK1: 1\r\nK2: 2\r\nK3: 3\r\n\r\nEvent: B\r\n\r\n'], { expectBanner: false, limits: { maxLinesPerMessage: 3 } });
    assert.deepEqual(r.errors.map((e) => e.code), ['AMI_FRAME_TOO_MANY_LINES']);
    assert.deepEqual(r.messages.map((m) => field(m, 'Event')), ['B']);
  });

  test('a line longer than the limit across reads: AMI_FRAME_LINE_TOO_LONG, then recovery', () => {
    const r = frame(['Event: A\r\nData: 0123456789', 'abcdefghij', 'klm\r\n\r\nEvent: B\r\n\r\n'], {
      expectBanner: false, limits: { maxLineLength: 16 },
    });
    assert.deepEqual(r.errors.map((e) => e.code), ['AMI_FRAME_LINE_TOO_LONG']);
    assert.deepEqual(r.messages.map((m) => field(m, 'Event')), ['B']);
  });

  // A long line that arrives complete in one read must be rejected too, not only a split one.
  test('a line longer than the limit inside a single read is also rejected', () => {
    const r = frame(['Event: A\r\nData: 0123456789abcdefghij\r\n\r\n'], { expectBanner: false, limits: { maxLineLength: 16 } });
    assert.deepEqual(r.errors.map((e) => e.code), ['AMI_FRAME_LINE_TOO_LONG']);
    assert.equal(r.messages.length, 0);
  });

  test('parseAmiStream collects banner, messages and errors', () => {
    const r = parseAmiStream(`${BANNER}\r\nEvent: A\r\n\r\nbad\r\n\r\nEvent: B\r\n\r\n`);
    assert.equal(r.banner, BANNER);
    assert.deepEqual(r.messages.map((m) => field(m, 'Event')), ['A', 'B']);
    assert.deepEqual(r.errors.map((e) => e.code), ['AMI_FRAME_MALFORMED']);
  });
});

describe('formatMessage', () => {
  test('writes Key: Value CRLF lines, repeated keys in order, and a final empty line', () => {
    const wire = formatMessage([['Action', 'Originate'], ['Variable', 'a=b'], ['Variable', 'c=d'], ['Account', '']]);
    assert.equal(wire, 'Action: Originate\r\nVariable: a=b\r\nVariable: c=d\r\nAccount: \r\n\r\n');
  });

  test('a CR/LF in a value or a colon in a key is AMI_ACTION_INVALID', () => {
    assert.throws(() => formatMessage([['Action', 'Ping\r\nAction: Logoff']]), { code: 'AMI_ACTION_INVALID' });
    assert.throws(() => formatMessage([['A:b', 'x']]), { code: 'AMI_ACTION_INVALID' });
  });

  test('round trip: formatMessage → framer', () => {
    const fields: Array<[string, string]> = [['Action', 'Setvar'], ['Variable', 'X'], ['Value', 'a: b Ж']];
    const r = frame([Buffer.from(formatMessage(fields))], { expectBanner: false });
    assert.deepEqual(fieldsOf(r.messages), [fields]);
  });
});


function randomSplit(bytes: Buffer, rnd: () => number): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < bytes.length) {
    const n = 1 + Math.floor(rnd() * 40);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe('AmiFramer: property tests (seeded)', () => {
  // Bytes drawn mostly from the characters that matter to the grammar.
  const ALPHABET = Buffer.from('::  \r\n\r\n\n\nabcKV-END COMMAND--Follows Response', 'utf8');

  test('random bytes in random splits never throw and always terminate', () => {
    const rnd = prng(20261122);
    const started = Date.now();
    for (let iter = 0; iter < 400; iter++) {
      const len = Math.floor(rnd() * 600);
      const bytes = Buffer.alloc(len);
      for (let i = 0; i < len; i++) {
        const r = rnd();
        bytes[i] = r < 0.7 ? ALPHABET[Math.floor(rnd() * ALPHABET.length)]! : Math.floor(rnd() * 256);
      }
      let count = 0;
      const framer = new AmiFramer({ onMessage: () => { count++; }, onError: () => { count++; } }, {
        expectBanner: rnd() < 0.5, limits: { maxLineLength: 200, maxLinesPerMessage: 20 },
      });
      assert.doesNotThrow(() => {
        for (const c of randomSplit(bytes, rnd)) framer.push(c);
        framer.end();
      }, `iteration ${iter}`);
      assert.ok(count <= len + 1, `iteration ${iter}: at most one report per byte`);
    }
    assert.ok(Date.now() - started < 3000, 'fuzz must stay under 3 s');
  });

  test('valid streams with a malformed block at a random place: same result for any split', () => {
    const rnd = prng(7);
    for (let iter = 0; iter < 150; iter++) {
      const blocks: string[] = [];
      const n = 2 + Math.floor(rnd() * 6);
      const bad = Math.floor(rnd() * n);
      for (let b = 0; b < n; b++) {
        blocks.push(b === bad
          ? `Event: Bad${b}\r\nno colon here\r\nKey: v\r\n\r\n`
          : `Event: E${b}\r\nCallerIDName: Иван ${b}\r\nMessage: x: y\r\nAccountCode: \r\n\r\n`);
      }
      const bytes = Buffer.from(BANNER + '\r\n' + blocks.join(''), 'utf8');
      const r = frame(randomSplit(bytes, rnd));
      const expected = blocks.map((_, b) => `E${b}`).filter((_, b) => b !== bad);
      assert.deepEqual(r.messages.map((m) => field(m, 'Event')), expected, `iteration ${iter}`);
      assert.deepEqual(r.errors.map((e) => e.code), ['AMI_FRAME_MALFORMED'], `iteration ${iter}`);
      assert.equal(field(r.messages[0]!, 'CallerIDName'), `Иван ${bad === 0 ? 1 : 0}`);
    }
  });
});
