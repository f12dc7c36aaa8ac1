import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Jar, login, makeApp, req } from './helpers.js';

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, want: RegExp): Promise<string> {
  const dec = new TextDecoder();
  let text = '';
  while (!want.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value);
  }
  return text;
}

test('SSE: hello, then call stage events of a simulated call in order; unsubscribed on cancel', async () => {
  const t = await makeApp({ sseHeartbeatMs: 20 });
  const jar = new Jar();
  await login(t, jar);
  assert.equal((await req(t, new Jar(), '/events')).status, 401);
  const res = await req(t, jar, '/events');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  assert.match(await readUntil(reader, /event: hello/), /retry: 3000/);
  assert.equal(t.panel.listenerCount, 1);
  const key = await t.panel.simulateCall({ from: '+79161112233', extension: '102' });
  const text = await readUntil(reader, /"stage":"call_ended"/);
  const stages = [...text.matchAll(/event: call\ndata: (\{.*\})/g)].map((m) => JSON.parse(m[1] ?? '{}') as { callKey: string; stage: string });
  assert.deepEqual(stages.map((s) => [s.callKey, s.stage]), [
    [key, 'conversation_requested'], [key, 'conversation_accepted'], [key, 'conversation_ended'], [key, 'call_ended'],
  ]);
  assert.match(text, /event: outbox\ndata: \{"type":"outbox","id":\d+,"state":"done"/);
  assert.match(await readUntil(reader, /: ping/), /: ping/);
  await reader.cancel();
  for (let i = 0; i < 50 && t.panel.listenerCount > 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(t.panel.listenerCount, 0);
  t.panel.close();
});
