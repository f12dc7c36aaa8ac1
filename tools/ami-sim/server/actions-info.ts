/**
 * Informational actions: Command (a few CLI commands), QueueStatus, PJSIPShowEndpoints,
 * CoreSettings, ExtensionState, UserEvent.
 */
import { field } from '../../../src/adapters/ami/message.js';
import type { AmiFields } from '../scenario/types.js';
import type { ActionCtx, ActionHandler } from './context.js';
import { blockValue, channelName } from './channel-registry.js';
import type { LiveChannel } from './channel-registry.js';
import type { QueueConfig, QueueMemberConfig } from './pbx-config.js';
import { actionIdField, errorResponse, event, listComplete, response } from './wire.js';

function col(s: string, width: number): string {
  return s.slice(0, width).padEnd(width, ' ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function coreShowChannels(ctx: ActionCtx): string[] {
  const channels = ctx.sim.registry.list();
  const row = (a: string, b: string, c: string, d: string): string => `${col(a, 64)} ${col(b, 32)} ${col(c, 7)} ${col(d, 30)}`;
  const out = [row('Channel', 'Location', 'State', 'Application(Data)')];
  for (const ch of channels) {
    const exten = blockValue(ch.block, 'Exten');
    const location = exten ? `${exten}@${blockValue(ch.block, 'Context')}:${blockValue(ch.block, 'Priority')}` : '(None)';
    const app = ch.application ? `${ch.application}(${ch.applicationData})` : '(None)';
    out.push(row(channelName(ch), location, blockValue(ch.block, 'ChannelStateDesc'), app));
  }
  const calls = new Set(channels.map((c) => blockValue(c.block, 'Linkedid'))).size;
  out.push(plural(channels.length, 'active channel'), plural(calls, 'active call'), `${plural(ctx.sim.callsProcessed(), 'call')} processed`);
  return out;
}

function runCli(ctx: ActionCtx, command: string): string[] | undefined {
  const cmd = command.trim().replace(/\s+/g, ' ').toLowerCase();
  const cfg = ctx.sim.config;
  if (cmd === 'core show version') {
    return [`Asterisk ${cfg.asteriskVersion} built by sim @ ami-sim on a x86_64 running Linux on 2026-01-01 00:00:00 UTC`];
  }
  if (cmd === 'core show channels') return coreShowChannels(ctx);
  if (cmd === 'core show channels count') {
    const channels = ctx.sim.registry.list();
    const calls = new Set(channels.map((c) => blockValue(c.block, 'Linkedid'))).size;
    return [plural(channels.length, 'active channel'), plural(calls, 'active call'), `${plural(ctx.sim.callsProcessed(), 'call')} processed`];
  }
  if (cmd === 'core show uptime') {
    const s = Math.floor((ctx.sim.now() - ctx.sim.startedMs) / 1000);
    return [`System uptime: ${plural(s, 'second')}`, `Last reload: ${plural(s, 'second')}`];
  }
  return undefined;
}

const command: ActionHandler = (ctx) => {
  const cmd = field(ctx.action, 'Command') ?? '';
  if (cmd.trim().length === 0) return ctx.reply(errorResponse(ctx.action, 'No command provided'));
  const lines = runCli(ctx, cmd);
  const output = lines ?? [`No such command '${cmd}' (type 'core show help ${cmd}' for other possible commands)`];
  ctx.reply(response(ctx.action, lines ? 'Success' : 'Error', {
    message: 'Command output follows',
    extra: output.map((l) => ['Output', l] as const),
  }));
};

/** Device state of an interface (`PJSIP/101`) from the live channels of that endpoint. */
function deviceState(channels: LiveChannel[], iface: string): { text: string; status: number; active: number } {
  const mine = channels.filter((c) => channelName(c).startsWith(`${iface}-`));
  if (mine.length === 0) return { text: 'Not in use', status: 1, active: 0 };
  const ringing = mine.some((c) => blockValue(c.block, 'ChannelState') === '5');
  return ringing ? { text: 'Ringing', status: 6, active: mine.length } : { text: 'In use', status: 2, active: mine.length };
}

function memberEvent(ctx: ActionCtx, q: QueueConfig, m: QueueMemberConfig): AmiFields {
  const st = deviceState(ctx.sim.registry.list(), m.stateInterface ?? m.location);
  return [
    ['Event', 'QueueMember'], ['Queue', q.name], ['Name', m.name], ['Location', m.location],
    ['StateInterface', m.stateInterface ?? m.location], ['Membership', 'static'], ['Penalty', String(m.penalty ?? 0)],
    ['CallsTaken', '0'], ['LastCall', '0'], ['LastPause', '0'], ['LoginTime', String(ctx.sim.config.memberLoginTime)],
    ['InCall', st.status === 2 ? '1' : '0'], ['Status', String(st.status)], ['Paused', '0'], ['PausedReason', ''],
    ['Wrapuptime', '0'], ...actionIdField(ctx.action),
  ];
}

const queueStatus: ActionHandler = (ctx) => {
  const { action, sim } = ctx;
  const only = field(action, 'Queue');
  const member = field(action, 'Member');
  const queues = sim.config.queues.filter((q) => !only || q.name === only);
  ctx.reply(response(action, 'Success', { listStart: true, message: 'Queue status will follow' }));
  let items = 0;
  for (const q of queues) {
    ctx.reply([
      ['Event', 'QueueParams'], ['Queue', q.name], ['Max', '0'], ['Strategy', q.strategy], ['Calls', '0'],
      ['Holdtime', '0'], ['TalkTime', '0'], ['Completed', '0'], ['Abandoned', '0'], ['ServiceLevel', '0'],
      ['ServicelevelPerf', '0.0'], ['ServicelevelPerf2', '0.0'], ['Weight', '0'], ...actionIdField(action),
    ]);
    items++;
    for (const m of q.members) {
      if (member && m.location !== member && m.name !== member) continue;
      ctx.reply(memberEvent(ctx, q, m));
      items++;
    }
  }
  ctx.reply(listComplete(action, 'QueueStatusComplete', items));
};

const pjsipShowEndpoints: ActionHandler = (ctx) => {
  const { action, sim } = ctx;
  const endpoints = sim.config.endpoints;
  if (endpoints.length === 0) return ctx.reply(errorResponse(action, 'No endpoints found'));
  ctx.reply(response(action, 'Success', { listStart: true, message: 'A listing of Endpoints follows, presented as EndpointList events' }));
  const channels = sim.registry.list();
  for (const ep of endpoints) {
    const contacts = ep.contacts ?? '';
    const st = deviceState(channels, `PJSIP/${ep.name}`);
    ctx.reply([
      ['Event', 'EndpointList'], ...actionIdField(action), ['ObjectType', 'endpoint'], ['ObjectName', ep.name],
      ['Transport', ep.transport ?? 'transport-udp'], ['Aor', ep.name], ['Auths', ep.auths ?? ''], ['OutboundAuths', ''],
      ['Contacts', contacts], ['DeviceState', contacts ? st.text : 'Unavailable'], ['ActiveChannels', String(st.active)],
    ]);
  }
  ctx.reply(listComplete(action, 'EndpointListComplete', endpoints.length));
};

const coreSettings: ActionHandler = (ctx) => {
  const cfg = ctx.sim.config;
  ctx.reply(response(ctx.action, 'Success', {
    extra: [
      ['AMIversion', cfg.amiVersion], ['AsteriskVersion', cfg.asteriskVersion], ['SystemName', cfg.systemName],
      ['CoreMaxCalls', '0'], ['CoreMaxLoadAvg', '0.000000'], ['CoreRunUser', ''], ['CoreRunGroup', ''],
      ['CoreMaxFilehandles', '0'], ['CoreRealTimeEnabled', 'No'], ['CoreCDRenabled', 'Yes'], ['CoreHTTPenabled', 'No'],
      ['SoundsSearchCustomDir', 'No'],
    ],
  }));
};

const extensionState: ActionHandler = (ctx) => {
  // The simulated dialplan has no hints, like the lab's.
  ctx.reply(response(ctx.action, 'Success', {
    message: 'Extension Status',
    extra: [
      ['Exten', field(ctx.action, 'Exten') ?? ''], ['Context', field(ctx.action, 'Context') ?? ''], ['Hint', ''],
      ['Status', '-1'], ['StatusText', 'Unknown'],
    ],
  }));
};

const userEvent: ActionHandler = (ctx) => {
  const name = field(ctx.action, 'UserEvent');
  if (!name) return ctx.reply(errorResponse(ctx.action, 'Missing UserEvent'));
  const skip = new Set(['action', 'actionid', 'userevent']);
  const body = ctx.action.fields.filter(([k]) => !skip.has(k.toLowerCase())).map(([k, v]) => [k, v] as const);
  ctx.reply(response(ctx.action, 'Success', { message: 'Event Sent' }));
  ctx.sim.emit(event('UserEvent', 'user,all', [['UserEvent', name], ...body]));
};

export const INFO_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  command,
  queuestatus: queueStatus,
  pjsipshowendpoints: pjsipShowEndpoints,
  coresettings: coreSettings,
  extensionstate: extensionState,
  userevent: userEvent,
};
