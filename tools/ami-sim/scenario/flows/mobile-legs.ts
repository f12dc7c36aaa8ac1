/**
 * The pieces the FMC flows share (ring-with-mobile.ts, forward-to-mobile.ts): the trunk leg towards an
 * employee's mobile, the Local pair of a follow-me / forward through from-internal's `_0X.` rule, and
 * its optimisation away — as Asterisk 22.10.1 recorded them (lab22-t…x).
 */
import { channelBlock, STATE } from '../channel-block.js';
import type { Bridge, CallBuilder, Chan } from '../builder.js';
import { bridgePeerOf, bridgePeers, dialReset } from '../steps.js';

export const COMPANY_CID = '5551000';

/** The outgoing trunk leg towards the mobile, created by `caller`'s Dial(PJSIP/<mobile>@<trunk>). */
export function mobileLeg(b: CallBuilder, caller: Chan, mobile: string, trunk: string, did: string): Chan {
  const ch = b.newChan({
    device: trunk, state: STATE.down, cidNum: '', cidName: '', context: b.pbx.trunkContext, exten: 's',
    linkedid: caller.linkedid,
  });
  b.newchannel(ch);
  b.varset(ch, 'DIALEDPEERNUMBER', `${mobile}@${trunk}`);
  b.varset(ch, '__FROM_DID', did);
  ch.cidNum = caller.exten;
  ch.cidName = '';
  ch.connNum = caller.cidNum;
  ch.connName = caller.cidName;
  b.newexten(ch, 'AppDial', '(Outgoing Line)', { exten: caller.exten });
  b.newCallerid(ch, caller.exten, '');
  b.newConnectedLine(ch);
  return ch;
}

export interface LocalMobile {
  one: Chan;
  two: Chan;
  mobile: Chan;
  dialled: string;
  device: string;
  legData: string;
}

/**
 * `Local/0<mobile>@from-internal` dialled by the caller: the pair, LocalBridge, the caller's DialBegin
 * towards `;1` (`beforeBegin` runs just before it: other legs' DialBegins), `;2` running `_0X.` and
 * dialling the trunk (lab22-u/v/x).
 */
export function localMobile(b: CallBuilder, caller: Chan, s: { mobile: string; trunk?: string; did: string }, afterOne: () => void, beginLate: boolean): LocalMobile {
  const ctx = b.pbx.internalContext;
  const trunk = s.trunk ?? 'trunk';
  const dialled = `0${s.mobile}`;
  const init = { state: STATE.down, cidNum: '', cidName: '', context: ctx, exten: dialled, linkedid: caller.linkedid };
  const [one, two] = b.newLocalPair(dialled, ctx, init, { ...init, state: STATE.ring });
  b.newchannel(one);
  b.newchannel(two);
  b.varset(one, 'DIALEDPEERNUMBER', `${dialled}@${ctx}`);
  b.varset(one, '__FROM_DID', s.did);
  one.cidNum = caller.exten;
  one.connNum = caller.cidNum;
  one.connName = caller.cidName;
  b.newexten(one, 'AppDial', '(Outgoing Line)', { exten: caller.exten });
  b.newCallerid(one, caller.exten, '');
  b.newConnectedLine(one);
  afterOne();
  b.varset(two, 'DIALEDPEERNUMBER', `${dialled}@${ctx}`);
  b.varset(two, '__FROM_DID', s.did);
  two.connNum = caller.exten;
  two.connName = '';
  b.newCallerid(two, caller.cidNum, caller.cidName);
  b.newConnectedLine(two);
  b.emit('LocalBridge', 'call', channelBlock(one, 'LocalOne'), channelBlock(two, 'LocalTwo'),
    [['Context', ctx], ['Exten', dialled], ['LocalOptimization', 'Yes']]);
  if (!beginLate) b.dialBegin(caller, one, `${dialled}@${ctx}`);
  b.newexten(two, 'NoOp', `Outbound call to ${s.mobile}`);
  b.newexten(two, 'Set', `CALLERID(num)=${COMPANY_CID}`, { priority: 2 });
  b.newCallerid(two, COMPANY_CID);
  const legData = `PJSIP/${s.mobile}@${trunk},30`;
  b.newexten(two, 'Dial', legData, { priority: 3 });
  dialReset(b, two);
  if (beginLate) b.dialBegin(caller, one, `${dialled}@${ctx}`);
  const mobile = mobileLeg(b, two, s.mobile, trunk, s.did);
  b.dialBegin(two, mobile, `${s.mobile}@${trunk}`);
  return { one, two, mobile, dialled, device: `Local/${dialled}@${ctx}`, legData };
}

/** Local optimisation after the answer: the caller replaces `;2` in the mobile's bridge (lab22-u/v). */
export function optimiseAway(b: CallBuilder, caller: Chan, l: LocalMobile, br1: Bridge, br2: Bridge, peersAfter: number): void {
  const { one, two, mobile } = l;
  b.emit('LocalOptimizationBegin', 'call', channelBlock(one, 'LocalOne'), channelBlock(two, 'LocalTwo'),
    channelBlock(caller, 'Source'), [['DestUniqueId', two.uniqueid], ['Id', '0']]);
  b.bridgeLeave(br2, caller);
  bridgePeerOf(b, two, undefined);
  b.bridgeLeave(br1, two);
  b.bridgeEnter(br1, caller, two.uniqueid);
  bridgePeers(b, [caller, mobile], 1);
  bridgePeerOf(b, one, undefined);
  b.emit('LocalOptimizationEnd', 'call', channelBlock(one, 'LocalOne'), channelBlock(two, 'LocalTwo'), [['Success', 'No'], ['Id', '0']]);
  bridgePeers(b, [caller, mobile], peersAfter);
}
