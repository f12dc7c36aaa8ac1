/**
 * AMI framing: bytes → messages. Knows nothing about actions or events.
 *
 * - Decodes UTF-8 with a StringDecoder, so a multi-byte character cut between two reads is kept whole;
 *   invalid sequences become U+FFFD instead of throwing.
 * - Lines end in CRLF (Asterisk) or a bare LF (accepted, as Asterisk accepts it in actions).
 * - The first line of a connection, `Asterisk Call Manager/x.y.z`, is the banner (no blank line follows).
 * - A block of `Key: Value` lines ends at an empty line. The key ends at the first colon; one space
 *   after it is skipped, so values may themselves contain `: `. Repeated keys are kept.
 * - Legacy `Response: Follows` (Command on Asterisk ≤ 13): raw output lines up to `--END COMMAND--`
 *   become `Output` fields.
 * - A malformed block (a line with no colon, a line or block over the limits) is reported through
 *   `onError` with a stable code and skipped; the stream goes on at the next block.
 */
import { StringDecoder } from 'node:string_decoder';
import { ConnectorError } from '../../errors.js';
import { makeMessage, type AmiField, type AmiMessage } from './message.js';

export interface FramerHandlers {
  onBanner?(banner: string): void;
  onMessage(msg: AmiMessage): void;
  onError?(err: ConnectorError): void;
}

export interface FramerLimits {
  /** Longest line accepted, in characters (default 1 MiB). */
  maxLineLength: number;
  /** Most lines in one block (default 100,000). */
  maxLinesPerMessage: number;
}

const DEFAULT_LIMITS: FramerLimits = { maxLineLength: 1 << 20, maxLinesPerMessage: 100_000 };
const END_COMMAND = '--END COMMAND--';

export class AmiFramer {
  private readonly decoder = new StringDecoder('utf8');
  private readonly limits: FramerLimits;
  private buf = '';
  private fields: AmiField[] = [];
  private bad: ConnectorError | undefined;
  private expectBanner: boolean;
  private follows = false;

  constructor(
    private readonly handlers: FramerHandlers,
    options: { expectBanner?: boolean; limits?: Partial<FramerLimits> } = {},
  ) {
    this.expectBanner = options.expectBanner ?? true;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (text.length === 0) return;
    this.buf = this.buf.length === 0 ? text : this.buf + text;
    let start = 0;
    for (;;) {
      const nl = this.buf.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && this.buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end - start > this.limits.maxLineLength) {
        this.fail('AMI_FRAME_LINE_TOO_LONG', `line longer than ${this.limits.maxLineLength} characters`);
      } else if (!this.fastField(start, end)) {
        this.line(this.buf.slice(start, end));
      }
      start = nl + 1;
    }
    this.buf = start === 0 ? this.buf : this.buf.slice(start);
    if (this.buf.length > this.limits.maxLineLength) {
      this.fail('AMI_FRAME_LINE_TOO_LONG', `line longer than ${this.limits.maxLineLength} characters`);
      this.buf = '';
    }
  }

  /** Flushes the decoder at end of stream; an unterminated block is reported, not delivered. */
  end(): void {
    const rest = this.decoder.end();
    if (rest) this.push(rest);
    if (this.buf.length > 0) {
      this.line(this.buf);
      this.buf = '';
    }
    if (this.fields.length > 0 || this.bad) {
      this.report(new ConnectorError('AMI_FRAME_TRUNCATED', 'stream ended inside a message'));
      this.reset();
    }
  }

  /**
   * The common case, parsed in place without slicing the line first: a `Key: Value` line inside an
   * ordinary block. Returns false for everything else (banner, blank line, legacy output, errors),
   * which line() then handles.
   */
  private fastField(start: number, end: number): boolean {
    if (this.expectBanner || this.follows || this.bad || end === start) return false;
    if (this.fields.length === 0 || this.fields.length >= this.limits.maxLinesPerMessage) return false;
    const buf = this.buf;
    const colon = buf.indexOf(':', start);
    if (colon <= start || colon >= end) return false;
    const vStart = buf.charCodeAt(colon + 1) === 32 && colon + 1 < end ? colon + 2 : colon + 1;
    this.fields.push([buf.slice(start, colon), buf.slice(vStart, end)]);
    return true;
  }

  private line(line: string): void {
    if (this.expectBanner) {
      this.expectBanner = false;
      if (line.startsWith('Asterisk Call Manager/') || line.includes('Call Manager/')) {
        this.handlers.onBanner?.(line);
        return;
      }
    }
    if (line.length === 0) {
      if (this.follows) return; // blank lines inside legacy command output
      this.flush();
      return;
    }
    if (this.bad) return; // skipping the rest of a malformed block
    if (this.fields.length >= this.limits.maxLinesPerMessage) {
      this.fail('AMI_FRAME_TOO_MANY_LINES', `more than ${this.limits.maxLinesPerMessage} lines in one message`);
      return;
    }
    if (this.follows) {
      // Asterisk <= 13 writes `Privilege: Command` and `ActionID: <id>` before the raw output.
      if (this.fields.every(([k]) => k !== 'Output') && /^(ActionID|Privilege):/i.test(line)) {
        const c = line.indexOf(':');
        this.fields.push([line.slice(0, c), line.charCodeAt(c + 1) === 32 ? line.slice(c + 2) : line.slice(c + 1)]);
        return;
      }
      if (line.endsWith(END_COMMAND)) {
        const before = line.slice(0, -END_COMMAND.length);
        if (before.length > 0) this.fields.push(['Output', before.replace(/\n$/, '')]);
        this.follows = false;
        return;
      }
      this.fields.push(['Output', line]);
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      this.fail('AMI_FRAME_MALFORMED', 'line without "Key:" in a message', { line: line.slice(0, 200) });
      return;
    }
    const key = line.slice(0, colon);
    const value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    this.fields.push([key, value]);
    if (this.fields.length === 1 && value === 'Follows' && key.toLowerCase() === 'response') {
      // Asterisk ≤ 13 Command: the headers (ActionID, Privilege) follow, then raw output.
      this.follows = true;
    }
  }

  private flush(): void {
    if (this.bad) {
      this.report(this.bad);
    } else if (this.fields.length > 0) {
      const msg = makeMessage(this.fields);
      this.reset();
      this.handlers.onMessage(msg);
      return;
    }
    this.reset();
  }

  private fail(code: string, message: string, details?: Record<string, unknown>): void {
    if (!this.bad) this.bad = new ConnectorError(code, message, details ? { details } : {});
  }

  private report(err: ConnectorError): void {
    this.handlers.onError?.(err);
  }

  private reset(): void {
    this.fields = [];
    this.bad = undefined;
    this.follows = false;
  }
}

/** Parses a whole byte stream (as in a fixture) into its banner and messages. */
export function parseAmiStream(data: Buffer | string): { banner: string | undefined; messages: AmiMessage[]; errors: ConnectorError[] } {
  let banner: string | undefined;
  const messages: AmiMessage[] = [];
  const errors: ConnectorError[] = [];
  const framer = new AmiFramer({
    onBanner: (b) => { banner = b; },
    onMessage: (m) => messages.push(m),
    onError: (e) => errors.push(e),
  });
  framer.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  framer.end();
  return { banner, messages, errors };
}

/**
 * Serialises an action (or, for the simulator, an event or response) to wire form.
 * Values must not contain CR or LF: AMI has no escaping for them.
 */
export function formatMessage(fields: ReadonlyArray<readonly [string, string]>): string {
  let out = '';
  for (const [k, v] of fields) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v) || k.includes(':')) {
      throw new ConnectorError('AMI_ACTION_INVALID', `field ${JSON.stringify(k)} has a line break or colon`);
    }
    out += `${k}: ${v}\r\n`;
  }
  return out + '\r\n';
}
