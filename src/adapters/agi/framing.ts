/**
 * FastAGI framing: bytes ⇄ lines, the agi_* environment, command replies, command quoting.
 * Knows nothing about routing. Facts from Asterisk's res_agi.c:
 *
 * - Asterisk writes `agi_network: yes`, `agi_network_script: <path after host/>`, then the
 *   environment (`agi_request` first), one `key: value` line each, ended by an empty line.
 *   Values may contain `:` (`agi_request: agi://host:4573/route?did=1`), so a line splits at the
 *   first `: ` only.
 * - Every command gets exactly one reply: `200 result=N [(data)] [endpos=N]`, `510 Invalid or
 *   unknown command`, `511 Command Not Permitted on a dead channel …`, or a usage block
 *   `520-Invalid command syntax.  Proper usage follows:` … `520 End of proper usage.`.
 * - A line `HANGUP` may arrive at any time (the channel hung up; AGISIGHUP).
 * - Arguments are split on spaces; `"` quotes and `\` escapes one character.
 */
import { StringDecoder } from 'node:string_decoder';
import { ConnectorError } from '../../errors.js';

/** Longest line accepted from Asterisk; the environment and replies are far shorter. */
export const MAX_AGI_LINE = 64 * 1024;

/** Splits a byte stream into lines (LF or CRLF), UTF-8 safe across reads. */
export class AgiLineReader {
  private readonly decoder = new StringDecoder('utf8');
  private buf = '';

  /** Returns the complete lines in this chunk; throws AGI_LINE_TOO_LONG on a runaway line. */
  push(chunk: Buffer | string): string[] {
    this.buf += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines: string[] = [];
    let nl = this.buf.indexOf('\n');
    while (nl >= 0) {
      const end = nl > 0 && this.buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      lines.push(this.buf.slice(0, end));
      this.buf = this.buf.slice(nl + 1);
      nl = this.buf.indexOf('\n');
    }
    if (this.buf.length > MAX_AGI_LINE) {
      this.buf = '';
      throw new ConnectorError('AGI_LINE_TOO_LONG', `AGI line longer than ${MAX_AGI_LINE} characters`);
    }
    return lines;
  }
}

/** One `agi_*: value` line → [key, value]; undefined when the line has no colon. */
export function parseEnvLine(line: string): [string, string] | undefined {
  const colon = line.indexOf(':');
  if (colon <= 0) return undefined;
  const key = line.slice(0, colon).trim();
  const value = line.charAt(colon + 1) === ' ' ? line.slice(colon + 2) : line.slice(colon + 1);
  return [key, value];
}

/** Collects the environment block; `push` returns true at the blank line that ends it. */
export class AgiEnvironmentReader {
  readonly env: Record<string, string> = {};
  private count = 0;

  push(line: string): boolean {
    if (line === '') return true;
    if (++this.count > 200) throw new ConnectorError('AGI_BAD_ENVIRONMENT', 'AGI environment has more than 200 lines');
    const kv = parseEnvLine(line);
    if (!kv) throw new ConnectorError('AGI_BAD_ENVIRONMENT', `malformed AGI environment line "${line.slice(0, 80)}"`);
    this.env[kv[0]] = kv[1];
    return false;
  }
}

export interface AgiScript {
  /** Always starts with `/`, e.g. `/route`; `/` when the request named no script. */
  readonly path: string;
  /** Decoded query parameters (the first value wins for repeated keys). */
  readonly query: Readonly<Record<string, string>>;
}

/**
 * The script the dialplan asked for: `agi_network_script` (`route?did=1`) when present, else the
 * part of `agi_request` after the host (`agi://h:4573/route?did=1`).
 */
export function parseAgiScript(env: Readonly<Record<string, string>>): AgiScript {
  let script = env['agi_network_script'];
  if (script === undefined) {
    const req = env['agi_request'] ?? '';
    const m = /^agi:\/\/[^/]*(\/.*)?$/i.exec(req);
    script = m ? (m[1] ?? '') : req;
  }
  const q = script.indexOf('?');
  const rawPath = q >= 0 ? script.slice(0, q) : script;
  const query: Record<string, string> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(script.slice(q + 1))) if (!(k in query)) query[k] = v;
  }
  const path = `/${rawPath.replace(/^\/+/, '').replace(/\/+$/, '')}`;
  return { path, query };
}

export type AgiReply =
  | { readonly kind: 'ok'; readonly code: 200; readonly result: string; readonly data?: string; readonly endpos?: number; readonly raw: string }
  | { readonly kind: 'invalid'; readonly code: 510; readonly raw: string }
  | { readonly kind: 'dead'; readonly code: 511; readonly raw: string }
  | { readonly kind: 'usage'; readonly code: 520; readonly usage: string; readonly raw: string };

export type AgiInbound = { readonly kind: 'reply'; readonly reply: AgiReply } | { readonly kind: 'hangup' };

const OK_RE = /^200 result=(\S*)(?: \((.*)\))?(?: endpos=(-?\d+))?\s*$/;

/**
 * Turns reply lines into replies. `push` returns what the line completed, or undefined while a
 * `520-` block is still open. Unknown lines throw AGI_BAD_REPLY.
 */
export class AgiReplyParser {
  private usage: string[] | undefined;

  push(line: string): AgiInbound | undefined {
    if (line === 'HANGUP') return { kind: 'hangup' };
    if (this.usage) {
      if (line.startsWith('520 ')) {
        const usage = this.usage.join('\n');
        this.usage = undefined;
        return { kind: 'reply', reply: { kind: 'usage', code: 520, usage, raw: line } };
      }
      this.usage.push(line);
      return undefined;
    }
    if (line.startsWith('520-')) {
      this.usage = [];
      return undefined;
    }
    if (line.startsWith('520 ')) return { kind: 'reply', reply: { kind: 'usage', code: 520, usage: '', raw: line } };
    if (line.startsWith('510')) return { kind: 'reply', reply: { kind: 'invalid', code: 510, raw: line } };
    if (line.startsWith('511')) return { kind: 'reply', reply: { kind: 'dead', code: 511, raw: line } };
    const m = OK_RE.exec(line);
    if (m) {
      const reply: AgiReply = {
        kind: 'ok', code: 200, result: m[1] ?? '', raw: line,
        ...(m[2] !== undefined ? { data: m[2] } : {}),
        ...(m[3] !== undefined ? { endpos: Number(m[3]) } : {}),
      };
      return { kind: 'reply', reply };
    }
    throw new ConnectorError('AGI_BAD_REPLY', `unexpected AGI reply "${line.slice(0, 80)}"`);
  }
}

/**
 * One argument, quoted for res_agi's parser: `"` and `\` are escaped, and line breaks (which would
 * end the command and let CRM text inject another one) become spaces.
 */
export function quoteAgiArg(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ').replace(/[\\"]/g, (c) => `\\${c}`);
  return `"${clean}"`;
}

/** `SET VARIABLE name "value"` (name unquoted: it may be a function such as `CALLERID(name)`). */
export function setVariableCommand(name: string, value: string): string {
  if (!/^[A-Za-z0-9_]+(\([A-Za-z0-9_-]*\))?$/.test(name)) {
    throw new ConnectorError('AGI_BAD_VARIABLE', `invalid channel variable name "${name.slice(0, 40)}"`);
  }
  return `SET VARIABLE ${name} ${quoteAgiArg(value)}`;
}
