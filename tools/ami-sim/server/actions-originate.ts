/**
 * Originate: validated like manager.c's action_originate; with `Async: true` the answer is
 * `Originate successfully queued` at once and the outcome comes later as OriginateResponse (with
 * the action's ActionID); without Async the answer waits for the outcome (`Originate failed` when
 * the first leg did not answer) and no OriginateResponse is raised.
 */
import { field, fieldAll } from '../../../src/adapters/ami/message.js';
import type { ActionHandler } from './context.js';
import { extensionExists } from './pbx-config.js';
import type { OriginateRequest } from './originate-request.js';
import { errorResponse, response } from './wire.js';

const TRUE = new Set(['yes', 'true', 'y', 't', '1', 'on']);

/** `Variable: a=1,b=2` and repeated `Variable:` lines. */
function variables(values: string[]): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (const v of values) {
    for (const part of v.split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) out.push([part.slice(0, eq).trim(), part.slice(eq + 1)]);
    }
  }
  return out;
}

const originate: ActionHandler = (ctx) => {
  const { action, sim } = ctx;
  const get = (k: string): string | undefined => {
    const v = field(action, k);
    return v === undefined || v.length === 0 ? undefined : v;
  };
  const channel = get('Channel');
  if (!channel) return ctx.reply(errorResponse(action, 'Channel not specified'));
  const priority = get('Priority');
  if (priority !== undefined && !/^\d+$/.test(priority)) return ctx.reply(errorResponse(action, 'Invalid priority'));
  const timeout = get('Timeout');
  if (timeout !== undefined && !/^\d+$/.test(timeout)) return ctx.reply(errorResponse(action, 'Invalid timeout'));
  const slash = channel.indexOf('/');
  if (slash <= 0 || slash === channel.length - 1) return ctx.reply(errorResponse(action, 'Invalid channel'));
  const application = get('Application');
  const exten = get('Exten');
  const context = get('Context');
  if (application === undefined) {
    if (exten !== undefined && (context === undefined || priority === undefined)) {
      return ctx.reply(errorResponse(action, "Originate with 'Exten' requires 'Context' and 'Priority'"));
    }
    if (!exten || !context || !extensionExists(sim.config, context, exten)) {
      return ctx.reply(errorResponse(action, 'Extension does not exist.'));
    }
  }
  const req: OriginateRequest = {
    channel, tech: channel.slice(0, slash), resource: channel.slice(slash + 1),
    ...(context !== undefined ? { context } : {}), ...(exten !== undefined ? { exten } : {}),
    ...(priority !== undefined ? { priority } : {}), ...(application !== undefined ? { application } : {}),
    ...(get('Data') !== undefined ? { data: get('Data') } : {}),
    timeoutMs: timeout !== undefined ? Number(timeout) : 30000,
    ...(get('CallerID') !== undefined ? { callerId: get('CallerID') } : {}),
    variables: variables(fieldAll(action, 'Variable')),
    ...(get('Account') !== undefined ? { account: get('Account') } : {}),
    ...(get('ChannelId') !== undefined ? { channelId: get('ChannelId') } : {}),
    ...(get('OtherChannelId') !== undefined ? { otherChannelId: get('OtherChannelId') } : {}),
    async: TRUE.has((get('Async') ?? '').toLowerCase()),
    ...(get('ActionID') !== undefined ? { actionId: get('ActionID') } : {}),
  };
  if (req.async) {
    ctx.reply(response(action, 'Success', { message: 'Originate successfully queued' }));
    sim.originate(req, () => {});
    return;
  }
  sim.originate(req, (o) => {
    ctx.reply(o.response === 'Success'
      ? response(action, 'Success', { message: 'Originate successfully queued' })
      : errorResponse(action, 'Originate failed'));
  });
};

export const ORIGINATE_ACTIONS: Readonly<Record<string, ActionHandler>> = { originate };
