/**
 * Correlation of one connection's actions with their answers: the response (by ActionID), the list
 * items up to `EventList: Complete`, and an optional completion event (OriginateResponse).
 * Each action has one timer covering all of it. Settlement is synchronous (a callback), so the client
 * can act on a response (e.g. Login) before it handles the next message of the same TCP read.
 */
import { ConnectorError } from '../../errors.js';
import { eventName, field, toRecord, type AmiMessage } from './message.js';
import type { AmiAction, AmiActionResult } from './actions.js';

export type Settle = (err: ConnectorError | undefined, result: AmiActionResult | undefined) => void;

interface Pending {
  readonly id: string;
  readonly action: AmiAction;
  readonly settle: Settle;
  timer: ReturnType<typeof setTimeout> | undefined;
  phase: 'response' | 'list' | 'completion';
  response: AmiMessage | undefined;
  events: AmiMessage[];
  /** A completion event that arrived before the response. */
  early: AmiMessage | undefined;
}

/** What `handle` did with a message. */
export type Routing = 'consumed' | 'completion' | 'unmatched-response' | 'not-mine';

/** Maps a `Response: Error` to a coded error. */
export function actionError(action: string, response: AmiMessage): ConnectorError {
  const message = field(response, 'Message') ?? '';
  const details = { action, message, response: toRecord(response) };
  if (message === 'Permission denied') {
    return new ConnectorError('AMI_PERMISSION_DENIED', `${action}: permission denied (manager.conf read/write classes)`, { details });
  }
  if (message.startsWith('No such channel')) {
    return new ConnectorError('AMI_NO_SUCH_CHANNEL', `${action}: no such channel`, { details });
  }
  if (message.startsWith('Invalid/unknown command')) {
    return new ConnectorError('AMI_UNKNOWN_ACTION', `${action}: unknown to this Asterisk`, { details });
  }
  if (message === 'Asterisk is shutting down') {
    return new ConnectorError('AMI_SHUTTING_DOWN', `${action}: Asterisk is shutting down`, { details, retryable: true });
  }
  return new ConnectorError('AMI_ACTION_FAILED', `${action} failed: ${message || 'no message'}`, { details });
}

const SUCCESS = new Set(['success', 'goodbye', 'follows']);

export class PendingActions {
  private readonly byId = new Map<string, Pending>();

  constructor(private readonly onTimeout: (action: AmiAction, id: string) => void = () => {}) {}

  get size(): number {
    return this.byId.size;
  }

  add(id: string, action: AmiAction, timeoutMs: number, settle: Settle): void {
    const p: Pending = { id, action, settle, timer: undefined, phase: 'response', response: undefined, events: [], early: undefined };
    p.timer = setTimeout(() => {
      this.onTimeout(action, id);
      this.finish(p, new ConnectorError('AMI_ACTION_TIMEOUT', `${action.name}: no answer within ${timeoutMs} ms`, {
        retryable: true, details: { action: action.name, actionId: id, timeoutMs, phase: p.phase },
      }));
    }, timeoutMs);
    this.byId.set(id, p);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Routes one incoming message. `completion` events are also ordinary events for listeners. */
  handle(msg: AmiMessage): Routing {
    const id = field(msg, 'ActionID');
    const name = eventName(msg);
    if (name === undefined) return this.response(id, msg);
    const p = id === undefined ? undefined : this.byId.get(id);
    if (!p) return 'not-mine';
    if (p.action.completionEvent === name) {
      if (p.phase === 'completion') this.finish(p, undefined, msg);
      else if (p.phase === 'response') p.early = msg;
      return 'completion';
    }
    if (p.phase !== 'list') return 'not-mine';
    if (field(msg, 'EventList')?.toLowerCase() === 'complete') this.finish(p, undefined, undefined, msg);
    else p.events.push(msg);
    return 'consumed';
  }

  /** Fails every pending action (disconnect, close). */
  rejectAll(err: ConnectorError): void {
    for (const p of [...this.byId.values()]) this.finish(p, err);
  }

  private response(id: string | undefined, msg: AmiMessage): Routing {
    // Asterisk answers one action at a time per session, so a response without ActionID (e.g. a parse
    // error) belongs to the oldest action still waiting for its response.
    const p = id !== undefined ? this.byId.get(id) : this.oldestAwaitingResponse();
    if (!p || p.phase !== 'response') return 'unmatched-response';
    p.response = msg;
    const status = (field(msg, 'Response') ?? '').toLowerCase();
    if (!SUCCESS.has(status)) {
      const text = field(msg, 'Message') ?? '';
      if (p.action.acceptError?.(text)) this.finish(p);
      else this.finish(p, actionError(p.action.name, msg));
      return 'consumed';
    }
    if (field(msg, 'EventList')?.toLowerCase() === 'start') {
      p.phase = 'list';
    } else if (p.action.completionEvent !== undefined) {
      p.phase = 'completion';
      if (p.early) this.finish(p, undefined, p.early);
    } else {
      this.finish(p);
    }
    return 'consumed';
  }

  private oldestAwaitingResponse(): Pending | undefined {
    for (const p of this.byId.values()) if (p.phase === 'response') return p;
    return undefined;
  }

  private finish(p: Pending, err?: ConnectorError, completion?: AmiMessage, listEnd?: AmiMessage): void {
    if (this.byId.get(p.id) !== p) return;
    this.byId.delete(p.id);
    if (p.timer) clearTimeout(p.timer);
    if (err) {
      p.settle(err, undefined);
      return;
    }
    const result: AmiActionResult = {
      response: p.response ?? { fields: [], index: new Map() },
      events: p.events,
      ...(listEnd ? { listEnd } : {}),
      ...(completion ? { completion } : {}),
    };
    p.settle(undefined, result);
  }
}
