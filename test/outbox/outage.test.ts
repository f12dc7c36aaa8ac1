import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOutageWatch } from '../../src/outbox/outage.js';
import type { SendOutcome } from '../../src/outbox/journal.js';
import { silentLogger } from '../../src/log.js';

function watch(): { note: (o: SendOutcome[]) => Promise<void>; probes: () => number; stop: () => void } {
  let probes = 0;
  const w = createOutageWatch({
    store: { resumeRetries: async () => { probes++; return 0; } },
    now: Date.now, log: silentLogger, wake: () => undefined, probeIntervalMs: 10,
  });
  return { note: (o) => w.note(o), probes: () => probes, stop: () => w.stop() };
}

const fail = (code: string, retryable = true): SendOutcome => ({ kind: 'failure', error: { code, message: code, retryable } });

test('only the portal\'s own retryable failures mark it unreachable; a local step waiting its turn does not', async () => {
  const local = watch();
  await local.note([fail('REC_TRANSCRIPT_PENDING'), fail('REC_PUBLISH_FAILED')]);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(local.probes(), 0, 'no probing: Bitrix24 was never asked');
  local.stop();

  const down = watch();
  await down.note([fail('B24_NETWORK'), fail('REC_TRANSCRIPT_PENDING')]);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(down.probes(), 0, 'a mix is not an outage either');
  await down.note([fail('B24_NETWORK'), fail('B24_INTERNAL')]);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(down.probes() >= 2, 'probing while down');
  down.stop();
});
