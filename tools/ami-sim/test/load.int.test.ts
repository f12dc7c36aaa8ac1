import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { field } from '../../../src/adapters/ami/message.js';
import type { TimedEvent } from '../scenario/types.js';
import { adaptGenerator } from '../server/generator-adapter.js';
import { startAmiSim } from '../server/sim.js';
import { fixturesDir, login, rawClient } from './raw-client.js';

describe('load mode', () => {
  test('starts `total` calls from the mix (transcripts without a generator), at most `concurrency` at once', async () => {
    const sim = await startAmiSim({ secret: 'l', timeScale: 0 });
    const c = rawClient(sim.port);
    try {
      await login(c, 'crm', 'l', 'call');
      const h = sim.startLoad({ rate: 100, concurrency: 2, total: 5, mix: [{ name: 'busy', weight: 1 }, { name: 'noanswer', weight: 1 }] }, fixturesDir());
      const st = await h.done;
      assert.deepEqual(st, { started: 5, completed: 5, cancelled: 0, failed: 0, active: 0, total: 5 });
      assert.deepEqual(sim.stats().load, st);
      assert.equal(sim.stats().callsCompleted, 5);
      await c.waitFor(() => c.messages.filter((m) => field(m, 'Event') === 'Hangup').length >= 10, 3000);
      const roots = new Set(c.messages.filter((m) => field(m, 'Event') === 'Newchannel').map((m) => field(m, 'Linkedid')));
      assert.equal(roots.size, 5, 'five calls with distinct Linkedids');
    } finally {
      c.close();
      await sim.close();
    }
  });

  test('uses the generator with per-call caller numbers when one is plugged in', async () => {
    const specs: unknown[] = [];
    const generator = adaptGenerator({
      generateCall: (spec, ids): TimedEvent[] => {
        specs.push(spec);
        const uid = ids.uniqueid();
        return [{ atMs: 0, fields: [['Event', 'UserEvent'], ['Privilege', 'user,all'], ['UserEvent', 'Gen'], ['Uniqueid', uid]] }];
      },
    });
    const sim = await startAmiSim({ secret: 'g', timeScale: 0, generator });
    try {
      const st = await sim.startLoad({ rate: 200, concurrency: 5, total: 2, mix: [{ name: 'inbound', weight: 1 }] }, fixturesDir()).done;
      assert.equal(st.completed, 2);
      assert.deepEqual(specs.map((s) => (s as { from: string }).from), ['+4930100001', '+4930100002']);
      assert.equal((specs[0] as { type: string }).type, 'inbound');
    } finally {
      await sim.close();
    }
  });
});
