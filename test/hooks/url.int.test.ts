import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHookRunner, type HookRunner } from '../../src/adapters/hooks/runner.js';
import { SAMPLE_INPUTS } from '../../src/core/hooks/samples.js';
import { captureLogger } from './helpers.js';

/** A loopback "PHP web server": the path picks the behaviour; it records what it received. */
function startServer(): Promise<{ server: Server; base: string; received: unknown[] }> {
  const received: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url, method: req.method, type: req.headers['content-type'], hook: req.headers['x-asterisk-b24-hook'], body: JSON.parse(body) as unknown });
      const input = JSON.parse(body) as { phone?: string };
      switch (req.url) {
        case '/good':
          res.setHeader('content-type', 'application/json');
          return res.end(JSON.stringify({ data: { phone: `+7${String(input.phone).slice(1)}` }, state: 'success' }));
        case '/500':
          res.statusCode = 500;
          return res.end('Internal Server Error');
        case '/slow':
          return setTimeout(() => res.end('{"state":"success"}'), 2000).unref();
        case '/html':
          return res.end('<b>Fatal error</b>: Uncaught Error');
        case '/huge':
          return res.end(JSON.stringify({ data: { phone: 'x'.repeat(5000) }, state: 'success' }));
        default:
          res.statusCode = 404;
          return res.end();
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received })));
}

describe('URL hooks', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  const runners: HookRunner[] = [];
  before(async () => {
    srv = await startServer();
  });
  after(async () => {
    await Promise.all(runners.map((r) => r.close()));
    srv.server.closeAllConnections();
    await new Promise((r) => srv.server.close(r));
  });
  // A generous timeout where the test is not about timing (the first fetch of a process is slow on a
  // loaded CI machine); 300 ms where it is.
  const runner = (path: string, timeoutMs = 3000) => {
    const r = createHookRunner({ urls: { process_client_phone: `${srv.base}${path}` }, logger: captureLogger().logger, timeouts: { defaultMs: timeoutMs }, maxOutputBytes: 1024 });
    runners.push(r);
    return r;
  };
  const input = SAMPLE_INPUTS.process_client_phone;

  test('POSTs the JSON input and applies the JSON reply', async () => {
    const r = await runner('/good').run('process_client_phone', input);
    assert.deepEqual([r.ok, r.source, r.data.phone], [true, 'hook', '+79001234567']);
    const last = srv.received.at(-1) as { method: string; type: string; hook: string; body: { phone: string; call_stage: string } };
    assert.deepEqual([last.method, last.type, last.hook, last.body.phone, last.body.call_stage], ['POST', 'application/json', 'process_client_phone', '89001234567', 'conversation_requested']);
  });

  test('HTTP 500 → HOOK_URL_FAILED', async () => {
    const r = await runner('/500').run('process_client_phone', input);
    assert.deepEqual([r.ok, r.code, r.reason, r.data.phone], [false, 'HOOK_URL_FAILED', 'HTTP 500', '89001234567']);
  });

  test('no answer in time → HOOK_TIMEOUT', async () => {
    const t0 = Date.now();
    const r = await runner('/slow', 300).run('process_client_phone', input);
    assert.deepEqual([r.code, r.data.phone], ['HOOK_TIMEOUT', '89001234567']);
    assert.ok(Date.now() - t0 < 1500);
  });

  test('a PHP error page instead of JSON → HOOK_BAD_JSON', async () => {
    const r = await runner('/html').run('process_client_phone', input);
    assert.equal(r.code, 'HOOK_BAD_JSON');
  });

  test('a body over the cap → HOOK_OUTPUT_TOO_LARGE', async () => {
    assert.equal((await runner('/huge').run('process_client_phone', input)).code, 'HOOK_OUTPUT_TOO_LARGE');
  });

  test('connection refused → HOOK_URL_FAILED', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = createHookRunner({ urls: { process_client_phone: `http://127.0.0.1:${port}/hook` }, logger: captureLogger().logger, timeouts: { defaultMs: 1000 } });
    runners.push(r);
    const out = await r.run('process_client_phone', input);
    assert.deepEqual([out.code, out.reason], ['HOOK_URL_FAILED', 'request failed: ECONNREFUSED']);
  });

  test('a secret in the URL is not shown in list()', () => {
    const r = createHookRunner({ urls: { process_client_phone: `${srv.base}/good?auth=s3cret` }, logger: captureLogger().logger });
    runners.push(r);
    assert.deepEqual(r.list().map((h) => h.location), [`${srv.base}/good?auth=***`]);
  });
});
