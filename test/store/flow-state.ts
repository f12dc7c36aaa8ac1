/** A stored call state as the CRM flow writes it, for the sticky-routing tests (store and FastAGI). */

export const CLIENT = '+79161234567';
const T = Date.UTC(2026, 11, 1, 9);

export interface Conv { ext: string; at?: number; end?: number }

/** A stored call state as src/flow/call-to-crm.ts writes it (the fields call-talkers.ts reads). */
export function flowState(o: { key: string; client?: string; direction?: string; convs: Conv[]; users?: Record<string, number> }) {
  return {
    crm: { callKey: o.key, registered: true },
    summary: {
      callKey: o.key, direction: o.direction ?? 'incoming', clientNumber: (o.client ?? CLIENT).replace('+7', '8'), startedAt: (o.convs[0]?.at ?? T) - 5_000,
      recordings: [], conversations: o.convs.map((c, i) => ({
        id: `${o.key}#${i}`, extension: c.ext, channel: `PJSIP/${c.ext}-1`, uniqueid: `${o.key}.${i}`, stage: 'conversation_ended', via: 'dial',
        requestedAt: (c.at ?? T) - 3_000, ...(c.at !== undefined ? { acceptedAt: c.at } : {}), ...(c.end !== undefined ? { endedAt: c.end } : {}),
      })),
    },
    timeline: [], b24: {}, clientPhone: o.client ?? CLIENT, users: o.users ?? { '101': 5, '102': 7, '103': 9 },
  };
}

