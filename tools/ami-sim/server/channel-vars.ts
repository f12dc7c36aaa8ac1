/**
 * Variable lookup for Getvar / Status `Variables`: channel variables learnt from VarSet events,
 * the dialplan functions a connector asks for (CHANNEL(linkedid), CALLERID(num) …), builtin
 * variables (UNIQUEID, EXTEN …), then globals — the order pbx_retrieve_variable uses.
 */
import type { ChannelRegistry, LiveChannel } from './channel-registry.js';
import { blockValue, channelName } from './channel-registry.js';

function cidValue(v: string): string {
  return v === '<unknown>' ? '' : v;
}

function channelFunction(ch: LiveChannel, arg: string): string | undefined {
  switch (arg.toLowerCase()) {
    case 'linkedid': return blockValue(ch.block, 'Linkedid');
    case 'uniqueid': return ch.uniqueid;
    case 'name': return channelName(ch);
    case 'channeltype': return channelName(ch).split('/')[0] ?? '';
    case 'state': return blockValue(ch.block, 'ChannelStateDesc');
    case 'language': return blockValue(ch.block, 'Language');
    case 'accountcode': return blockValue(ch.block, 'AccountCode');
    case 'context': return blockValue(ch.block, 'Context');
    case 'exten': return blockValue(ch.block, 'Exten');
    default: return undefined;
  }
}

function partyFunction(ch: LiveChannel, prefix: 'CallerID' | 'ConnectedLine', arg: string): string | undefined {
  const num = cidValue(blockValue(ch.block, `${prefix}Num`));
  const name = cidValue(blockValue(ch.block, `${prefix}Name`));
  switch (arg.toLowerCase()) {
    case 'num': case 'number': return num;
    case 'name': return name;
    case 'all': return name ? `"${name}" <${num}>` : num;
    default: return undefined;
  }
}

const BUILTINS: Readonly<Record<string, (ch: LiveChannel) => string>> = {
  CHANNEL: (ch) => channelName(ch),
  UNIQUEID: (ch) => ch.uniqueid,
  EXTEN: (ch) => blockValue(ch.block, 'Exten'),
  CONTEXT: (ch) => blockValue(ch.block, 'Context'),
  PRIORITY: (ch) => blockValue(ch.block, 'Priority'),
  CALLERIDNUM: (ch) => cidValue(blockValue(ch.block, 'CallerIDNum')),
  CALLERIDNAME: (ch) => cidValue(blockValue(ch.block, 'CallerIDName')),
};

/** Value of `name` on `ch` (or globally when `ch` is undefined); undefined = not set. */
export function lookupVariable(reg: ChannelRegistry, ch: LiveChannel | undefined, name: string): string | undefined {
  const fn = /^([A-Za-z_]+)\((.*)\)$/.exec(name);
  if (fn && ch) {
    const f = (fn[1] ?? '').toUpperCase();
    const arg = fn[2] ?? '';
    if (f === 'CHANNEL') return channelFunction(ch, arg);
    if (f === 'CALLERID') return partyFunction(ch, 'CallerID', arg);
    if (f === 'CONNECTEDLINE') return partyFunction(ch, 'ConnectedLine', arg);
    return undefined;
  }
  if (ch) {
    const v = ch.vars.get(name);
    if (v !== undefined) return v;
    const builtin = BUILTINS[name];
    if (builtin) return builtin(ch);
  }
  return reg.globals.get(name);
}
