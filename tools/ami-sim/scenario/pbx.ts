/**
 * The simulated PBX's configuration as far as the generated events depend on it: extension names,
 * queue memberships (each member device state change raises one QueueMemberStatus per queue the
 * device belongs to), dialplan contexts. Defaults reproduce the lab setup of SCENARIOS.md.
 */

export interface QueueMembership {
  readonly queue: string;
  /** Member interface as configured, e.g. `PJSIP/101` or `Local/101@from-queue/n`. */
  readonly iface: string;
}

export interface PbxProfile {
  /** Extension number → caller id name (`"Alice" <101>`). */
  readonly users: Readonly<Record<string, string>>;
  /** Extension → queues it is a static member of, in the order Asterisk reports them. */
  readonly memberships: Readonly<Record<string, readonly QueueMembership[]>>;
  /** Context of the phones (`from-internal`) and of the trunk (`from-trunk`). */
  readonly internalContext: string;
  readonly trunkContext: string;
  /** `SIPDOMAIN` VarSet value on inbound legs. */
  readonly sipDomain: string;
  readonly language: string;
  /** Epoch seconds written as `LoginTime` of static queue members (module load time). */
  readonly memberLoginTime: number;
  /** Directory MixMonitor puts relative file names in. */
  readonly monitorDir: string;
}

function labMemberships(ext: string): QueueMembership[] {
  return [
    { queue: 'fpbx', iface: `Local/${ext}@from-queue/n` },
    { queue: 'support', iface: `PJSIP/${ext}` },
    { queue: 'sales', iface: `PJSIP/${ext}` },
  ];
}

export const LAB_PBX: PbxProfile = {
  users: { '101': 'Alice', '102': 'Bob', '103': 'Carol' },
  memberships: { '101': labMemberships('101'), '102': labMemberships('102') },
  internalContext: 'from-internal',
  trunkContext: 'from-trunk',
  sipDomain: '127.0.0.1',
  language: 'en',
  memberLoginTime: 1795322364,
  monitorDir: '/var/spool/asterisk/monitor',
};

/** Caller id name of an extension (empty when unknown: shown as `<unknown>` on the wire). */
export function userName(pbx: PbxProfile, ext: string): string {
  return pbx.users[ext] ?? '';
}

/** Queue device-state numbers carried in `QueueMemberStatus Status`. */
export const DEVICE_STATUS: Readonly<Record<string, number>> = {
  UNKNOWN: 0, NOT_INUSE: 1, INUSE: 2, BUSY: 3, INVALID: 4, UNAVAILABLE: 5, RINGING: 6, RINGINUSE: 7, ONHOLD: 8,
};
