/**
 * What the connector needs from its manager.conf user, and the harmless AMI probes that show it.
 * Asterisk checks `writeperm & authority` (any listed class suffices; main/manager.c), before it
 * looks at the action's parameters — so an action sent without its required parameters answers
 * "Channel not specified" when allowed and "Permission denied" when not, and changes nothing.
 */
import type { AmiField } from '../adapters/ami/message.js';

/** Event classes the connector reads (config `ami.events` default); see docs/operations.md. */
export const REQUIRED_READ = ['call', 'dialplan', 'agent', 'system'] as const;

/** The manager.conf `write=` the docs recommend: minimal required plus `command`. */
export const RECOMMENDED_WRITE = 'system,call,originate,command';
export const RECOMMENDED_READ = 'system,call,agent,dialplan';

/** Global variable the doctor writes (Setvar) to provoke one `VarSet` event (class dialplan). */
export const PROBE_VARIABLE = 'ASTERISK_B24_DOCTOR';

export interface WriteProbe {
  /** The action as the connector uses it. */
  readonly action: string;
  readonly fields: readonly AmiField[];
  /** Classes of which any one allows the action (manager.c / module registration). */
  readonly allowedBy: readonly string[];
  /** Which connector feature breaks without it. */
  readonly feature: string;
  /** true: missing permission is a warning, not a failure. */
  readonly optional?: boolean;
}

export function writeProbes(stamp: string): WriteProbe[] {
  return [
    { action: 'Originate', fields: [], allowedBy: ['originate'], feature: 'click-to-call' },
    { action: 'Redirect', fields: [], allowedBy: ['call'], feature: 'routing and transfers from the CRM' },
    { action: 'Hangup', fields: [], allowedBy: ['system', 'call'], feature: 'hanging up calls from the CRM' },
    { action: 'Getvar', fields: [['Variable', PROBE_VARIABLE]], allowedBy: ['call', 'reporting'], feature: 'reading channel variables (linkedid, recording file)' },
    { action: 'Setvar', fields: [['Variable', PROBE_VARIABLE], ['Value', stamp]], allowedBy: ['call'], feature: 'marking calls (B24_CALL_ID)' },
    { action: 'CoreShowChannels', fields: [], allowedBy: ['system', 'reporting'], feature: 'resync of live calls after a reconnect' },
    { action: 'PJSIPShowEndpoints', fields: [], allowedBy: ['system'], feature: 'endpoint list (PJSIP)', optional: true },
    { action: 'QueueStatus', fields: [], allowedBy: [], feature: 'queue member states', optional: true },
    { action: 'Command', fields: [['Command', 'core show version']], allowedBy: ['command'], feature: 'CLI diagnostics (`core show version`, `manager show user`)', optional: true },
  ];
}

export type ProbeVerdict = 'allowed' | 'denied' | 'no-module' | 'error';

export interface ProbeOutcome {
  readonly probe: WriteProbe;
  readonly verdict: ProbeVerdict;
  /** Asterisk's Message or the error text. */
  readonly detail: string;
}

/** Maps an action's error code to a verdict (codes of src/adapters/ami/pending-actions.ts). */
export function verdictOf(code: string | undefined): ProbeVerdict {
  if (code === undefined) return 'allowed';
  if (code === 'AMI_PERMISSION_DENIED') return 'denied';
  if (code === 'AMI_UNKNOWN_ACTION') return 'no-module';
  // A parameter error ("Channel not specified", "No channel specified") proves the action ran.
  if (code === 'AMI_ACTION_FAILED' || code === 'AMI_NO_SUCH_CHANNEL') return 'allowed';
  return 'error';
}

/** Classes named in an event's `Privilege:` value (`call,all` → ['call']). */
export function privilegeClasses(privilege: string | undefined): string[] {
  if (!privilege) return [];
  return privilege.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'all');
}

export interface ManagerUserPerms {
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/** Parses `manager show user NAME` output (Output: lines); undefined when it is not there. */
export function parseManagerShowUser(lines: readonly string[]): ManagerUserPerms | undefined {
  const grab = (label: string): string[] | undefined => {
    for (const l of lines) {
      const m = new RegExp(`${label}:\\s*(\\S*)`).exec(l);
      if (m) return (m[1] ?? '') === '<none>' ? [] : (m[1] ?? '').split(',').filter((c) => c !== '');
    }
    return undefined;
  };
  const read = grab('read perm');
  const write = grab('write perm');
  return read && write ? { read, write } : undefined;
}

/** Classes of `ami.events` (a list), or undefined for on/off/numbers (then Asterisk decides). */
export function configuredEventClasses(events: string): string[] | undefined {
  const v = events.trim().toLowerCase();
  if (['on', 'yes', 'true', 'off', 'no', 'false'].includes(v) || /^\d+$/.test(v)) return undefined;
  const list = v.split(',').map((c) => c.trim()).filter((c) => c !== '');
  return list.includes('all') ? undefined : list;
}
