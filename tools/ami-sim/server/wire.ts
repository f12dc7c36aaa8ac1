/**
 * Builders for what the simulated Asterisk writes: responses (astman_send_response_full layout:
 * Response, ActionID, EventList, Message, then action-specific lines), events, and the
 * Hangup-cause texts.
 */
import type { AmiMessage } from '../../../src/adapters/ami/message.js';
import { field } from '../../../src/adapters/ami/message.js';
import type { AmiFields } from '../scenario/types.js';

export type Field = readonly [string, string];

/** `ActionID: x` when the action carried a non-empty one (Asterisk's idText). */
export function actionIdField(action: AmiMessage): Field[] {
  const id = field(action, 'ActionID');
  return id ? [['ActionID', id]] : [];
}

export interface ResponseParts {
  readonly message?: string;
  readonly listStart?: boolean;
  readonly extra?: AmiFields;
}

export function response(action: AmiMessage, status: 'Success' | 'Error' | 'Goodbye', parts: ResponseParts = {}): AmiFields {
  const out: Field[] = [['Response', status], ...actionIdField(action)];
  if (parts.listStart) out.push(['EventList', 'start']);
  if (parts.message !== undefined) out.push(['Message', parts.message]);
  if (parts.extra) out.push(...parts.extra);
  return out;
}

export function errorResponse(action: AmiMessage, message: string): AmiFields {
  return response(action, 'Error', { message });
}

export function event(name: string, privilege: string | undefined, body: AmiFields): AmiFields {
  const out: Field[] = [['Event', name]];
  if (privilege !== undefined) out.push(['Privilege', privilege]);
  out.push(...body);
  return out;
}

/** List-closing event: `Event`, ActionID, `EventList: Complete`, `ListItems`. */
export function listComplete(action: AmiMessage, name: string, items: number, extra: AmiFields = []): AmiFields {
  return [['Event', name], ...actionIdField(action), ['EventList', 'Complete'], ['ListItems', String(items)], ...extra];
}

const CAUSE_TEXT: Readonly<Record<number, string>> = {
  0: 'Unknown', 1: 'Unallocated (unassigned) number', 16: 'Normal Clearing', 17: 'User busy',
  18: 'No user responding', 19: 'User alerting, no answer', 21: 'Call Rejected', 26: 'Answered elsewhere',
  27: 'Destination out of order', 31: 'Normal, unspecified', 34: 'Circuit/channel congestion',
  38: 'Network out of order', 41: 'Temporary failure', 44: 'Requested channel not available',
  127: 'Interworking, unspecified',
};

export function causeText(cause: number): string {
  return CAUSE_TEXT[cause] ?? 'Unknown';
}

/** `<epoch>.<usec>` as in Ping's Timestamp and `timestampevents`. */
export function epochMicros(ms: number): string {
  const sec = Math.floor(ms / 1000);
  const usec = Math.floor((ms - sec * 1000) * 1000);
  return `${sec}.${String(usec).padStart(6, '0')}`;
}
