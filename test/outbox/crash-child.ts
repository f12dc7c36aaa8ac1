/**
 * Child process for the durability test: opens the store argv[2] names (a StoreConfig as JSON),
 * enqueues 200 commands (one transaction each), claims 50 and records 10 of them done, prints
 * READY and waits to be killed.
 */
import { openStore, type StoreConfig } from '../../src/adapters/store/open-store.js';
import { command, ref } from '../../src/core/crm/commands.js';

const arg = process.argv[2];
if (!arg) throw new Error('usage: crash-child STORE_CONFIG_JSON');
const store = await openStore(JSON.parse(arg) as StoreConfig);
let now = 1_000;
for (let i = 0; i < 100; i++) {
  await store.enqueue([
    command(`call${i}`, 'register', 'telephony.externalcall.register', { EXTERNAL_CALL_ID: `call${i}` }, 'live'),
    command(`call${i}`, 'finish', 'telephony.externalcall.finish', { CALL_ID: ref('register', 'CALL_ID') }, 'finish'),
  ], now++);
}
const claimed = await store.claim({ now, limit: 50 });
await store.record(claimed.slice(0, 10).map((c) => ({
  id: c.id, state: 'done' as const, attempts: 1, nextAttemptAt: now, lastError: null, result: { CALL_ID: `done-${c.callKey}` }, solo: false,
})), now);
process.stdout.write('READY\n');
setInterval(() => {}, 1_000); // keep running until SIGKILL
