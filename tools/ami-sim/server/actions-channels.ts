/**
 * Channel actions over the live channels the simulator tracks: CoreShowChannels, Status, Getvar,
 * Setvar, Hangup, Redirect.
 */
import { field } from '../../../src/adapters/ami/message.js';
import type { AmiFields } from '../scenario/types.js';
import type { ActionCtx, ActionHandler } from './context.js';
import type { LiveChannel } from './channel-registry.js';
import { blockValue, channelName } from './channel-registry.js';
import { lookupVariable } from './channel-vars.js';
import { actionIdField, errorResponse, event, listComplete, response } from './wire.js';

function hms(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

const coreShowChannels: ActionHandler = (ctx) => {
  const { action, sim } = ctx;
  const channels = sim.registry.list();
  ctx.reply(response(action, 'Success', { listStart: true, message: 'Channels will follow' }));
  for (const ch of channels) {
    ctx.reply([
      ['Event', 'CoreShowChannel'], ...actionIdField(action), ...ch.block,
      ['Application', ch.application], ['ApplicationData', ch.applicationData],
      ['Duration', hms(sim.now() - ch.createdMs)], ['BridgeId', ch.bridgeId],
    ]);
  }
  ctx.reply(listComplete(action, 'CoreShowChannelsComplete', channels.length));
};

function statusEvent(ctx: ActionCtx, ch: LiveChannel, names: string[]): AmiFields {
  const conn = (k: string): string => blockValue(ch.block, k);
  const vars: Array<[string, string]> = names.map((n) => ['Variable', `${n}=${lookupVariable(ctx.sim.registry, ch, n) ?? '(null)'}`]);
  return [
    ['Event', 'Status'], ['Privilege', 'Call'], ...ch.block,
    ['Type', channelName(ch).split('/')[0] ?? ''], ['DNID', ch.vars.get('DNID') ?? ''],
    ['EffectiveConnectedLineNum', conn('ConnectedLineNum')], ['EffectiveConnectedLineName', conn('ConnectedLineName')],
    ['TimeToHangup', '0'], ['BridgeID', ch.bridgeId], ['Application', ch.application], ['Data', ch.applicationData],
    ['Nativeformats', '(ulaw)'], ['Readformat', 'ulaw'], ['Readtrans', ''], ['Writeformat', 'ulaw'], ['Writetrans', ''],
    ['Callgroup', '0'], ['Pickupgroup', '0'], ['Seconds', String(Math.floor((ctx.sim.now() - ch.createdMs) / 1000))],
    ...vars, ...actionIdField(ctx.action), // Asterisk prints ActionID last in Status
  ];
}

const status: ActionHandler = (ctx) => {
  const { action, sim } = ctx;
  const name = field(action, 'Channel');
  let channels = sim.registry.list();
  if (name) {
    const ch = sim.registry.byName(name);
    if (!ch) return ctx.reply(errorResponse(action, 'No such channel'));
    channels = [ch];
  }
  const names = (field(action, 'Variables') ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  ctx.reply(response(action, 'Success', { listStart: true, message: 'Channel status will follow' }));
  for (const ch of channels) ctx.reply(statusEvent(ctx, ch, names));
  ctx.reply(listComplete(action, 'StatusComplete', channels.length, [['Items', String(channels.length)]]));
};

/** Resolves the optional Channel header: undefined = global, null = named but not found. */
function targetChannel(ctx: ActionCtx): LiveChannel | undefined | null {
  const name = field(ctx.action, 'Channel');
  if (!name) return undefined;
  return ctx.sim.registry.byName(name) ?? null;
}

const getvar: ActionHandler = (ctx) => {
  const { action, sim } = ctx;
  const variable = field(action, 'Variable');
  if (!variable) return ctx.reply(errorResponse(action, 'No variable specified'));
  const ch = targetChannel(ctx);
  if (ch === null) return ctx.reply(errorResponse(action, 'No such channel'));
  const value = lookupVariable(sim.registry, ch, variable) ?? '';
  ctx.reply(response(action, 'Success', { extra: [['Variable', variable], ['Value', value]] }));
};

const setvar: ActionHandler = (ctx) => {
  const { action, sim } = ctx;
  const variable = field(action, 'Variable');
  if (!variable) return ctx.reply(errorResponse(action, 'No variable specified'));
  const ch = targetChannel(ctx);
  if (ch === null) return ctx.reply(errorResponse(action, 'No such channel'));
  const value = field(action, 'Value') ?? '';
  ctx.reply(response(action, 'Success', { message: 'Variable Set' }));
  // pbx_builtin_setvar_helper raises VarSet for every assignment, globals with `Channel: none`.
  const who: AmiFields = ch ? ch.block : [['Channel', 'none'], ['Uniqueid', 'none']];
  sim.emit(event('VarSet', 'dialplan,all', [...who, ['Variable', variable], ['Value', value]]));
};

function parseCause(raw: string | undefined): number {
  const n = raw === undefined || raw.trim() === '' ? 16 : Number.parseInt(raw, 10);
  return Number.isInteger(n) && n > 0 && n < 128 ? n : 16;
}

const hangup: ActionHandler = (ctx) => {
  const { action, sim } = ctx;
  const name = field(action, 'Channel') ?? '';
  if (name.length === 0) return ctx.reply(errorResponse(action, 'No channel specified'));
  const cause = parseCause(field(action, 'Cause'));
  if (name.length > 2 && name.startsWith('/') && name.endsWith('/')) {
    let re: RegExp;
    try {
      re = new RegExp(name.slice(1, -1));
    } catch {
      return ctx.reply(errorResponse(action, 'Invalid regex'));
    }
    const hit = sim.registry.list().filter((c) => re.test(channelName(c)));
    ctx.reply(response(action, 'Success', { listStart: true, message: 'Channels hung up will follow' }));
    for (const ch of hit) ctx.reply([['Event', 'ChannelHungup'], ...actionIdField(action), ['Channel', channelName(ch)]]);
    ctx.reply(listComplete(action, 'ChannelsHungupListComplete', hit.length));
    for (const ch of hit) if (sim.registry.byUniqueid(ch.uniqueid)) sim.hangupChannel(ch, cause);
    return;
  }
  const ch = sim.registry.byName(name);
  if (!ch) return ctx.reply(errorResponse(action, 'No such channel'));
  ctx.reply(response(action, 'Success', { message: 'Channel Hungup' }));
  sim.hangupChannel(ch, cause);
};

const redirect: ActionHandler = (ctx) => {
  const { action, sim } = ctx;
  const get = (k: string): string => field(action, k) ?? '';
  if (!get('Channel')) return ctx.reply(errorResponse(action, 'Channel not specified'));
  if (!get('Context')) return ctx.reply(errorResponse(action, 'Context not specified'));
  if (!get('Exten')) return ctx.reply(errorResponse(action, 'Exten not specified'));
  if (!get('Priority')) return ctx.reply(errorResponse(action, 'Priority not specified'));
  if (!/^\d+$/.test(get('Priority'))) return ctx.reply(errorResponse(action, 'Invalid priority'));
  const ch = sim.registry.byName(get('Channel'));
  if (!ch) return ctx.reply(errorResponse(action, 'No such channel'));
  const extraName = get('ExtraChannel');
  const extra = extraName ? sim.registry.byName(extraName) : undefined;
  if (extraName && !extra) return ctx.reply(errorResponse(action, 'No such channel'));
  ctx.reply(response(action, 'Success', { message: extra ? 'Dual Redirect successful' : 'Redirect successful' }));
  sim.redirectChannel(ch, get('Context'), get('Exten'), get('Priority'));
  if (extra && sim.registry.byUniqueid(extra.uniqueid)) {
    sim.redirectChannel(extra, get('ExtraContext') || get('Context'), get('ExtraExten') || get('Exten'), get('ExtraPriority') || get('Priority'));
  }
};

export const CHANNEL_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  coreshowchannels: coreShowChannels,
  status,
  getvar,
  setvar,
  hangup,
  redirect,
};
