/**
 * Missed-call tasks close themselves when the client is reached (config.tasks.completeOnContact).
 *
 * The open tasks are kept per client number in the store's key/value table (`tasks.open.<number>`),
 * so they survive restarts: remembered when a missed call's tasks.task.add is planned (before that
 * command is written), the task id learnt from its result. When a later call with the same number
 * reaches the client, every open task of that number gets a `local.completeTask` command — written to
 * the outbox as a step of the MISSED call (`<missed call>:task-complete`, one per task, sent once),
 * so it goes out after that call's tasks.task.add, and may reference its result while the id is not
 * known yet. The executor (completeTaskExecutor) runs tasks.task.complete; a task Bitrix24 refuses
 * ("Action on the task is not allowed": deleted, already closed, no permission) is done with a note,
 * never a dead command: nobody can repair it and nothing depends on it.
 */
import type { B24Client } from '../adapters/bitrix/types.js';
import { command, ref, type CrmCommand } from '../core/crm/commands.js';
import {
  addOpenTask, clientReached, closingNote, openTasksOf, taskIdOf, withoutCalls, withTaskId,
  type CompleteTaskOutcome, type CompleteTaskParams, type OpenTask, type ReachFacts,
} from '../core/crm/task-close.js';
import { isConnectorError } from '../errors.js';

export const COMPLETE_TASK_METHOD = 'local.completeTask';
export const COMPLETE_TASK_STEP = 'task-complete';

export interface OpenTaskKv {
  getValue<T = unknown>(key: string): Promise<T | undefined>;
  setValue(key: string, value: unknown, now: number): Promise<void>;
  deleteValue(key: string): Promise<boolean>;
}

export interface TaskCommandLookup {
  getByKey(idempotencyKey: string): Promise<{ state: string; result: unknown } | undefined>;
}

export interface ClosePlan {
  readonly commands: CrmCommand[];
  readonly notes: string[];
  /** After the commands are stored: forget the tasks they complete. */
  readonly commit: () => Promise<void>;
}

/** The switch, read from the running config at each use (the panel may change it). */
export interface TaskSwitch {
  readonly completeOnContact: boolean;
}

const keyOf = (phone: string): string => `tasks.open.${phone}`;

export class MissedTaskCloser {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: { readonly kv: OpenTaskKv; readonly commands: TaskCommandLookup; readonly now: () => number }) {}

  /** One read-modify-write of the open-task lists at a time (calls of one number end in parallel). */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(phone: string, list: readonly OpenTask[]): Promise<void> {
    if (list.length === 0) await this.d.kv.deleteValue(keyOf(phone));
    else await this.d.kv.setValue(keyOf(phone), { tasks: list }, this.d.now());
  }

  private async read(phone: string): Promise<OpenTask[]> {
    return openTasksOf(await this.d.kv.getValue(keyOf(phone)));
  }

  /** Commands about to be written: a missed call's task among them is remembered for its number first. */
  async rememberPlanned(s: TaskSwitch, commands: readonly CrmCommand[], callKey: string, phone: string | undefined, at: number): Promise<void> {
    if (s.completeOnContact && phone && commands.some((c) => c.callKey === callKey && c.step === 'task')) await this.remember(phone, callKey, at);
  }

  /** A call ended: when it reached its client, the completions of that number's open tasks. */
  async onCallEnded(s: TaskSwitch, call: ReachFacts & { readonly callKey: string }, phone: string | undefined, users: Readonly<Record<string, number>>): Promise<ClosePlan | undefined> {
    const reached = s.completeOnContact && phone ? clientReached(call, users) : undefined;
    return reached && phone ? this.closeFor(phone, call.callKey, reached.talker) : undefined;
  }

  /** A missed call's task is about to be written to the outbox. */
  remember(phone: string, callKey: string, at: number): Promise<void> {
    if (!phone) return Promise.resolve();
    return this.exclusive(async () => this.write(phone, addOpenTask(await this.read(phone), { callKey, at })));
  }

  /** tasks.task.add answered: keep the id (the stored command may be purged long before the callback). */
  learn(phone: string, callKey: string, result: unknown): Promise<void> {
    const id = taskIdOf(result);
    if (!phone || id === undefined) return Promise.resolve();
    return this.exclusive(async () => {
      const list = await this.read(phone);
      if (list.some((t) => t.callKey === callKey)) await this.write(phone, withTaskId(list, callKey, id));
    });
  }

  /**
   * The client of `phone` was reached on call `reachedOn`: a completion for each open task (the
   * reaching call's own task, if any, is not one of them). A task whose tasks.task.add is dead,
   * discarded or gone was never created: it is forgotten without a command.
   */
  async closeFor(phone: string, reachedOn: string, talker: string): Promise<ClosePlan> {
    const list = phone ? await this.exclusive(() => this.read(phone)) : [];
    const commands: CrmCommand[] = [];
    const notes: string[] = [];
    const handled = new Set<string>();
    for (const t of list) {
      if (t.callKey === reachedOn) continue;
      handled.add(t.callKey);
      let taskId: unknown = t.taskId;
      if (taskId === undefined) {
        const rec = await this.d.commands.getByKey(`${t.callKey}:task`);
        if (rec?.state === 'done') taskId = taskIdOf(rec.result);
        else if (rec?.state === 'pending' || rec?.state === 'running') taskId = ref('task', 'task', 'id');
        if (taskId === undefined) continue;
      }
      const params: CompleteTaskParams = { taskId, reachedOn, talker };
      commands.push(command(t.callKey, COMPLETE_TASK_STEP, COMPLETE_TASK_METHOD, { ...params }, 'task'));
      notes.push(closingNote(typeof taskId === 'number' ? taskId : undefined, t.callKey, talker));
    }
    const commit = async (): Promise<void> => {
      if (handled.size === 0) return;
      await this.exclusive(async () => this.write(phone, withoutCalls(await this.read(phone), handled)));
    };
    return { commands, notes, commit };
  }
}

/** Bitrix24's refusal of this task: error "0" (no such task / not allowed / wrong id), not retryable. */
function refusal(e: unknown): string | undefined {
  if (!isConnectorError(e) || e.retryable) return undefined;
  const d = e.details ?? {};
  return d['error'] === '0' ? String(d['description'] ?? 'Action on the task is not allowed') : undefined;
}

/** The `local.completeTask` executor: tasks.task.complete, a refusal kept as the result. */
export function completeTaskExecutor(client: Pick<B24Client, 'call'>): (params: Record<string, unknown>) => Promise<CompleteTaskOutcome> {
  return async (params) => {
    const taskId = Number(params['taskId']);
    const reachedOn = String(params['reachedOn'] ?? '');
    const talker = String(params['talker'] ?? '');
    try {
      await client.call('tasks.task.complete', { taskId });
      return { taskId, completed: true, reachedOn, talker };
    } catch (e) {
      const why = refusal(e);
      if (why === undefined) throw e;
      return { taskId, completed: false, refused: why, reachedOn, talker };
    }
  };
}
