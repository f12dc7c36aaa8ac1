/**
 * The PBX side of FastAGI, as Asterisk 22's res_agi speaks it over a real socket: it sends
 * `agi_network: yes`, `agi_network_script`, the environment (agi_request first) and a blank line,
 * then answers each command line with what `respond` says (`200 result=1` by default). The simulator
 * uses it to play the dialplan's `AGI(agi://…/route)` before Dial (sim.startRoutedCall); the
 * connector's AGI tests use it as Asterisk.
 */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface AgiCallOptions {
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** agi_channel (default `PJSIP/trunk-00000017`). */
  readonly channel?: string;
  /** agi_dnid / agi_extension (default 74951234567). */
  readonly dnid?: string;
  /** Script after the host, e.g. `route?did=74951234567`. */
  readonly script?: string;
  readonly callerId?: string;
  readonly callerName?: string;
  readonly uniqueId?: string;
  /** Reply to one command (lines without `\n`), or 'HANGUP', or null to stay silent. */
  readonly respond?: (command: string, index: number) => string[] | 'HANGUP' | null;
  /** Send `HANGUP` this many ms after the environment, whatever happens. */
  readonly hangupAfterMs?: number;
  /** Give up after this long (the test fails on `timedOut`). */
  readonly maxMs?: number;
}

export interface AgiCallResult {
  readonly commands: string[];
  /** SET VARIABLE name → value (unquoted). */
  readonly vars: Record<string, string>;
  /** ms from the end of the environment to the server closing the socket. */
  readonly elapsedMs: number;
  readonly timedOut: boolean;
}

/** Undoes res_agi-style quoting of one SET VARIABLE command. */
export function parseSetVariable(command: string): [string, string] | undefined {
  const m = /^SET VARIABLE (\S+) "((?:[^"\\]|\\.)*)"$/.exec(command);
  return m ? [m[1] ?? '', (m[2] ?? '').replace(/\\(.)/g, '$1')] : undefined;
}

export function agiEnvironment(o: AgiCallOptions): string {
  const script = o.script ?? 'route?did=74951234567';
  const lines = [
    'agi_network: yes',
    `agi_network_script: ${script}`,
    `agi_request: agi://${o.host ?? '127.0.0.1'}:${o.port}/${script}`,
    `agi_channel: ${o.channel ?? 'PJSIP/trunk-00000017'}`,
    'agi_language: en',
    'agi_type: PJSIP',
    `agi_uniqueid: ${o.uniqueId ?? '1763790000.23'}`,
    'agi_version: 22.5.2',
    `agi_callerid: ${o.callerId ?? '89161234567'}`,
    `agi_calleridname: ${o.callerName ?? 'unknown'}`,
    'agi_callingpres: 0',
    'agi_callingani2: 0',
    'agi_callington: 0',
    'agi_callingtns: 0',
    `agi_dnid: ${o.dnid ?? '74951234567'}`,
    'agi_rdnis: unknown',
    'agi_context: from-trunk',
    `agi_extension: ${o.dnid ?? '74951234567'}`,
    'agi_priority: 2',
    'agi_enhanced: 0.0',
    'agi_accountcode: ',
    'agi_threadid: 140211453105920',
  ];
  return `${lines.join('\n')}\n\n`;
}

export function callAgi(o: AgiCallOptions): Promise<AgiCallResult> {
  return new Promise((resolve, reject) => {
    const commands: string[] = [];
    const vars: Record<string, string> = {};
    let buf = '';
    let started = 0;
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const socket = connect(o.port, o.host ?? '127.0.0.1', () => {
      socket.write(agiEnvironment(o));
      started = performance.now();
      if (o.hangupAfterMs !== undefined) timers.push(setTimeout(() => socket.write('HANGUP\n'), o.hangupAfterMs));
    });
    const finish = (timedOut: boolean): void => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      socket.destroy();
      resolve({ commands, vars, elapsedMs: performance.now() - started, timedOut });
    };
    timers.push(setTimeout(() => finish(true), o.maxMs ?? 5_000));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
        commands.push(line);
        const kv = parseSetVariable(line);
        if (kv) vars[kv[0]] = kv[1];
        const reply = o.respond ? o.respond(line, commands.length - 1) : ['200 result=1'];
        if (reply === 'HANGUP') socket.write('HANGUP\n');
        else if (reply) socket.write(reply.map((l) => `${l}\n`).join(''));
      }
    });
    socket.on('end', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('error', (e) => (done ? undefined : reject(e)));
  });
}
