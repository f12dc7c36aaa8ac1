/**
 * Missed-call tasks that close themselves (config.tasks.completeOnContact). Pure: which calls count
 * as "the client was reached", the open-task list kept per client number, the task id in a
 * tasks.task.add result, the completion's stored result and the timeline notes about it.
 */

/** A missed-call task waiting for its client, as kept per client number. */
export interface OpenTask {
  /** The missed call that created it (its 'task' step is tasks.task.add). */
  readonly callKey: string;
  readonly at: number;
  /** Learnt from the tasks.task.add result; until then the stored command's result is read. */
  readonly taskId?: number;
}

/** More open tasks than this for one number: the oldest are forgotten (they stay open in Bitrix24). */
export const OPEN_TASKS_MAX = 20;

export function addOpenTask(list: readonly OpenTask[], entry: OpenTask): OpenTask[] {
  return [...list.filter((t) => t.callKey !== entry.callKey), entry].slice(-OPEN_TASKS_MAX);
}

export function withTaskId(list: readonly OpenTask[], callKey: string, taskId: number): OpenTask[] {
  return list.map((t) => (t.callKey === callKey ? { ...t, taskId } : t));
}

export function withoutCalls(list: readonly OpenTask[], callKeys: ReadonlySet<string>): OpenTask[] {
  return list.filter((t) => !callKeys.has(t.callKey));
}

/** The stored value (JSON from the store) as a list; anything else is an empty list. */
export function openTasksOf(value: unknown): OpenTask[] {
  const raw = value && typeof value === 'object' ? (value as { tasks?: unknown }).tasks : undefined;
  if (!Array.isArray(raw)) return [];
  return raw.filter((t): t is OpenTask => !!t && typeof t === 'object' && typeof (t as OpenTask).callKey === 'string' && typeof (t as OpenTask).at === 'number');
}

/** tasks.task.add answers `{ task: { id: "42", … } }`. */
export function taskIdOf(result: unknown): number | undefined {
  const task = result && typeof result === 'object' ? (result as { task?: unknown }).task : undefined;
  const id = task && typeof task === 'object' ? Number((task as { id?: unknown }).id) : NaN;
  return Number.isInteger(id) && id > 0 ? id : undefined;
}

export interface ReachFacts {
  readonly direction: string;
  readonly answeredAt?: number | undefined;
  readonly endedAt?: number | undefined;
  readonly conversations: ReadonlyArray<{ readonly extension: string; readonly acceptedAt?: number | undefined; readonly endedAt?: number | undefined }>;
}

/**
 * The client was reached on this call: an incoming call answered by anyone, an outgoing one (or a
 * click-to-call) answered by the far end. Returns who talked longest ("user 5" / "extension 101",
 * '' when no conversation says), or undefined when nobody was reached.
 */
export function clientReached(c: ReachFacts, users: Readonly<Record<string, number>>): { talker: string } | undefined {
  if (c.direction === 'internal') return undefined;
  const talked = c.conversations.filter((x) => x.acceptedAt !== undefined);
  if (c.answeredAt === undefined && talked.length === 0) return undefined;
  const end = c.endedAt ?? Number.MAX_SAFE_INTEGER;
  let best: { extension: string; ms: number } | undefined;
  for (const x of talked) {
    const ms = (x.endedAt ?? end) - (x.acceptedAt ?? 0);
    if (!best || ms > best.ms) best = { extension: x.extension, ms };
  }
  if (!best) return { talker: '' };
  const user = users[best.extension];
  return { talker: user !== undefined ? `user ${user}` : `extension ${best.extension}` };
}

/** Params of the local.completeTask command (only taskId goes to Bitrix24). */
export interface CompleteTaskParams {
  readonly taskId: unknown;
  /** The call on which the client was reached, and who talked (for the notes). */
  readonly reachedOn: string;
  readonly talker: string;
}

/** What local.completeTask leaves as the command's result. */
export type CompleteTaskOutcome =
  | { readonly taskId: number; readonly completed: true; readonly reachedOn: string; readonly talker: string }
  | { readonly taskId: number; readonly completed: false; readonly refused: string; readonly reachedOn: string; readonly talker: string };

const talked = (talker: string): string => (talker ? ` (${talker} talked)` : '');

/** On the call that reached the client, when the completion is planned. */
export function closingNote(taskId: number | undefined, missedCallKey: string, talker: string): string {
  return `missed-call task ${taskId !== undefined ? `${taskId} ` : ''}of call ${missedCallKey} to be completed: the client was reached on this call${talked(talker)}`;
}

/** On the missed call, when Bitrix24 answered the completion. */
export function completionNote(result: unknown): string | undefined {
  const r = result && typeof result === 'object' ? (result as Partial<CompleteTaskOutcome> & { refused?: string }) : undefined;
  if (!r || typeof r.taskId !== 'number' || typeof r.reachedOn !== 'string') return undefined;
  if (r.completed === true) return `missed-call task ${r.taskId} completed: the client was reached on call ${r.reachedOn}${talked(r.talker ?? '')}`;
  return `missed-call task ${r.taskId} not completed: Bitrix24 refused it (${r.refused ?? '?'}): deleted, already closed or not permitted; not retried`;
}
