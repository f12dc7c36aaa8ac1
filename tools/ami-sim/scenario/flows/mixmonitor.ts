/**
 * Recording as the lab dialplan does it (lab22-j): `Set(CALLFILENAME=…)` · `MixMonitor(${CALLFILENAME}.wav,b)`.
 * The file name is only visible in VarSets (CALLFILENAME, then MIXMONITOR_FILENAME with the spool
 * path); `MixMonitorStart` carries the channel block only. No MixMonitorStop when the call just ends.
 */
import { cdrTime, type CallBuilder, type Chan } from '../builder.js';

/** `<in|out>-<from>-<exten>-<YYYYmmdd-HHMMSS>-<uniqueid>` as the lab dialplan builds CALLFILENAME. */
export function recordingName(b: CallBuilder, ch: Chan, direction: 'in' | 'out' = 'in'): string {
  const stamp = cdrTime(b.epochMs()).replace(/-/g, '').replace(' ', '-').replace(/:/g, '');
  return `${direction}-${ch.cidNum}-${ch.exten}-${stamp}-${ch.uniqueid}`;
}

/** Set(CALLFILENAME) · MixMonitor(<name>.wav,b): VarSets and MixMonitorStart as in lab22-j; returns the full path. */
export function startMixMonitor(b: CallBuilder, ch: Chan, direction: 'in' | 'out' = 'in'): string {
  const name = recordingName(b, ch, direction);
  ch.recording = true;
  b.newexten(ch, 'Set', `CALLFILENAME=${name}`, { priority: ch.priority + 1 });
  b.varset(ch, 'CALLFILENAME', name);
  b.newexten(ch, 'MixMonitor', `${name}.wav,b`, { priority: ch.priority + 1 });
  const path = `${b.pbx.monitorDir}/${name}.wav`;
  b.varset(ch, 'MIXMONITOR_FILENAME', path);
  b.chanEvent('MixMonitorStart', 'call', ch);
  return path;
}

