/**
 * The REAL demo (AMI simulator + Bitrix24 emulator + connector, one process) in chromium: log in;
 * a simulated call appears live on the dashboard over SSE, then in the history with its timeline;
 * a black-list entry saved in the settings takes effect on the next simulated call; a dead command
 * is retried from the panel and goes out. Writes docs/screenshots/*.png from the real demo.
 * Skipped (with a message) when /usr/bin/chromium is missing.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startDemo, type RunningDemo } from '../../src/cli/demo.js';
import { waitFor } from '../e2e/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, '../../docs/screenshots');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;
const PASSWORD = 'demo-browser-pass';

describe('the real demo in chromium', { skip }, () => {
  let demo: RunningDemo;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  before(async () => {
    // Calls are started by hand (no background mix) so the page shows exactly what the test expects.
    demo = await startDemo({ port: 0, timeScale: 0.1, autoCalls: false, password: PASSWORD });
    await waitFor('AMI connected', () => demo.connector.ami.ready, 10_000);
    // Some history for the screenshots: a realistic mix, played fast.
    const kinds = ['incoming answered', 'incoming missed', 'sales queue (ringall)', 'outgoing answered', 'support queue (linear)', 'IVR abandoned', 'blind transfer', 'incoming busy'];
    await Promise.all(kinds.map((k) => demo.startCall(k).done));
    await waitFor('history filled', async () => (await demo.connector.panel.history({ limit: 1, offset: 0 })).total >= kinds.length, 10_000);
    profile = mkdtempSync(join(tmpdir(), 'ab24-demo-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await context?.close();
    await demo?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('log in', async () => {
    await page.goto(demo.url);
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.fill('input[name=user]', 'admin');
    await page.fill('input[name=password]', 'wrong');
    await page.click('button[type=submit]');
    await page.getByText('Wrong user or password.').waitFor();
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(demo.url);
    await page.locator('body[data-sse=open]').waitFor();
    assert.equal(await page.locator('.tile.ok').count(), 3, 'AMI, Bitrix24 and the outbox are green');
  });

  test('a simulated call appears live on the dashboard, then in the history with its timeline', async () => {
    const loadedAt = await page.evaluate('performance.timeOrigin');
    // Rings 3 s and talks 5 s at time scale 0.1: long enough to be seen live over SSE.
    const call = demo.startCall({ type: 'inbound', from: '+79161234567', did: '5551000', to: '102', outcome: 'answered', ringMs: 30_000, talkMs: 50_000 });
    const row = page.locator('#live-calls tr[data-call]');
    await row.waitFor();
    const key = await row.getAttribute('data-call');
    assert.ok(key);
    assert.match((await row.textContent()) ?? '', /\+79161234567/);
    await page.locator('#live-calls tr[data-call]', { hasText: 'Ivan Petrov' }).waitFor();
    await page.locator('#live-calls tr[data-call] .conv.conversation_accepted').waitFor();
    await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });
    await call.done;
    await page.getByText('No calls right now.').waitFor();
    assert.equal(await page.evaluate('performance.timeOrigin'), loadedAt, 'no reload: updated over SSE');

    await waitFor('finish sent', async () => (await demo.connector.panel.call(key))?.commands.some((c) => c.step === 'finish' && c.state === 'done'));
    await page.click('nav >> text=Calls');
    await page.locator(`#history tr[data-call="${key}"]`).waitFor();
    await page.screenshot({ path: join(SHOTS, 'history.png'), fullPage: true });
    await page.click(`#history tr[data-call="${key}"] a`);
    await page.locator('#timeline').waitFor();
    const timeline = (await page.locator('#timeline').textContent()) ?? '';
    assert.match(timeline, /registered for user 2/);
    assert.match(timeline, /card shown to user 2 \(extension 102 rings\)/);
    assert.match(timeline, /finished for user 2: status 200/);
    assert.match((await page.locator('.why').textContent()) ?? '', /Assigned\s*✓ finished for user 2/);
    assert.match((await page.locator('#commands').textContent()) ?? '', /telephony\.externalcall\.register[\s\S]*telephony\.externalcall\.finish/);
    await page.screenshot({ path: join(SHOTS, 'call-detail.png'), fullPage: true });
  });

  test('a black-list entry added in the settings takes effect on the next simulated call', async () => {
    await page.click('nav >> text=Settings');
    await page.fill('textarea[name="lists.black.numbers"]', '+79990001122');
    await page.click('#settings button[type=submit]');
    await page.getByText('Settings saved and applied (black and white lists)').waitFor();
    await page.screenshot({ path: join(SHOTS, 'settings.png'), fullPage: true });

    await demo.startCall({ type: 'inbound', from: '+79990001122', did: '5551000', to: '104', outcome: 'answered', ringMs: 2_000, talkMs: 3_000 }).done;
    const row = await waitFor('the call in the history', async () => (await demo.connector.panel.history({ number: '79990001122', limit: 1, offset: 0 })).rows[0]);
    await page.goto(`${demo.url}calls/${encodeURIComponent(row.summary.callKey)}`);
    assert.match((await page.locator('#timeline').textContent()) ?? '', /not registered: blacklisted \(number \+79990001122\)/);
    assert.match((await page.locator('.why').textContent()) ?? '', /Registered\s*✗ not registered: blacklisted/);
    assert.equal(await page.locator('#commands').count(), 0, 'no REST command');
  });

  test('a dead command is retried from the panel and goes out', async () => {
    const { emu, connector } = demo;
    const handler = 'http://127.0.0.1:9/demo-dead-letter';
    const bind = (method: string): Promise<Response> => fetch(`${emu.app.client_endpoint}${method}`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'ONEXTERNALCALLBACKSTART', handler, auth: emu.app.access_token }),
    });
    assert.equal((await bind('event.bind')).status, 200);
    // Binding the same handler again is refused for good (ERROR_HANDLER_ALREADY_EXIST) → dead.
    const { inserted } = await connector.sender.enqueue([{ callKey: 'demo-dead', step: 'bind', idempotencyKey: 'demo-dead:bind', method: 'event.bind', params: { event: 'ONEXTERNALCALLBACKSTART', handler }, priority: 50 }]);
    const id = inserted[0]!;
    await waitFor('dead', async () => (await connector.panel.outbox.list({ state: 'dead' })).some((c) => c.id === id));
    await page.goto(demo.url);
    await page.locator('.tile.bad', { hasText: 'Outbox' }).waitFor();
    await page.goto(`${demo.url}outbox?state=dead`);
    await page.getByText('B24_HANDLER_ALREADY_EXISTS').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'outbox.png'), fullPage: true });
    assert.equal((await bind('event.unbind')).status, 200, 'the cause is fixed in the portal');
    await page.click(`button[data-retry="${id}"]`);
    await page.getByText(`Command ${id} queued again.`).waitFor();
    const done = await waitFor('sent', async () => (await connector.panel.outbox.list({ state: 'done' })).find((c) => c.id === id));
    assert.equal(done.lastError, null);
    await page.goto(demo.url);
    assert.equal(await page.locator('.tile.bad').count(), 0, 'all green once the dead command went out');
    await page.goto(`${demo.url}charts`);
    await page.screenshot({ path: join(SHOTS, 'charts.png'), fullPage: true });
    await page.goto(`${demo.url}hooks`);
    await page.screenshot({ path: join(SHOTS, 'hooks.png'), fullPage: true });
  });

  test('a known client routed over FastAGI: his responsible manager\'s phone rang, and the call page says why', async () => {
    // +79852223344 is contact 15 (Petr Sidorov), responsible user 4 (extension 104); the dialplan's default is 101.
    const handle = await demo.startRoutedCall({ type: 'inbound', from: '+79852223344', did: '5551000', to: '101', outcome: 'answered', ringMs: 3_000, talkMs: 3_000 });
    await handle.done;
    const row = await waitFor('history row', async () => (await demo.connector.panel.history({ number: '9852223344', limit: 1, offset: 0 })).rows[0], 10_000);
    await waitFor('finish sent', async () => (await demo.connector.panel.call(row.summary.callKey))?.commands.some((c) => c.step === 'finish' && c.state === 'done'));
    await page.goto(`${demo.url}calls/${encodeURIComponent(row.summary.callKey)}`);
    await page.locator('#timeline').waitFor();
    const first = (await page.locator('#timeline tbody tr').first().textContent()) ?? '';
    assert.match(first, /route \(FastAGI\)[\s\S]*FastAGI route OK → 104 \(user 4 .*\): the client's responsible, CONTACT 15/);
    assert.match((await page.locator('.why').textContent()) ?? '', /FastAGI route OK → 104/);
    await page.screenshot({ path: join(SHOTS, 'call-routed.png'), fullPage: true });
  });
});
