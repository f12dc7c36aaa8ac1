/**
 * The admin panel in a real browser (Debian chromium through playwright-core) against the fake
 * port: log in; a simulated call appears live on the dashboard over SSE, then in the history with
 * its timeline; a black-list entry saved in the settings stops the next call from being
 * registered; a dead command is retried from the panel.
 * Skipped (with a message) when /usr/bin/chromium is missing.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { silentLogger } from '../../src/log.js';
import { createHttpApp } from '../../src/adapters/http/app.js';
import { hashPassword } from '../../src/adapters/http/auth.js';
import { FakePanelPort } from '../../src/adapters/http/fake-panel-port.js';
import { createMetrics } from '../../src/adapters/http/metrics.js';
import { startHttpServer, type RunningHttpServer } from '../../src/adapters/http/server.js';
import { ru } from '../../src/adapters/http/ui/texts/ru.js';

const CHROMIUM = '/usr/bin/chromium';
// The committed screenshots come from the real demo (test/browser/demo.browser.test.ts); these go to a temp dir.
const SHOTS = join(tmpdir(), 'asterisk-b24-panel-shots');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;

describe('admin panel in chromium', { skip }, () => {
  let panel: FakePanelPort;
  let server: RunningHttpServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  before(async () => {
    panel = new FakePanelPort({ stepMs: 100 });
    const app = createHttpApp({ panel, metrics: createMetrics(), logger: silentLogger, auth: { user: 'admin', passwordHash: await hashPassword('pa55word', { N: 1024 }) } });
    server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
    profile = mkdtempSync(join(tmpdir(), 'ab24-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(8_000);
    mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await context?.close();
    panel?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('log in', async () => {
    await page.goto(`${server.url}/`);
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.fill('input[name=user]', 'admin');
    await page.fill('input[name=password]', 'wrong');
    await page.click('button[type=submit]');
    await page.getByText('Wrong user or password.').waitFor();
    await page.fill('input[name=password]', 'pa55word');
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.url}/`);
    await page.locator('body[data-sse=open]').waitFor();
    assert.equal(await page.locator('.tile.ok').count(), 2, 'AMI and Bitrix24 green; the outbox is red (a dead command)');
    assert.equal(await page.locator('.tile.bad h3').textContent(), 'Outbox');
  });

  test('a simulated call appears live on the dashboard, then in the history with its timeline', async () => {
    const loadedAt = await page.evaluate('performance.timeOrigin');
    // The call waits at each stage until the page has shown it (no race with a busy machine).
    let release: () => void = () => {};
    const between = (): Promise<void> => new Promise((r) => { release = r; });
    const done = panel.simulateCall({ from: '+79161234567', extension: '101', between });
    const row = page.locator('#live-calls tr[data-call]');
    await row.waitFor();
    const key = await row.getAttribute('data-call');
    assert.match((await row.textContent()) ?? '', /\+79161234567/);
    assert.match((await row.textContent()) ?? '', /Anna Petrova/, 'card visible to the ringing user');
    release();
    await page.locator('#live-calls tr[data-call] .conv.conversation_accepted').waitFor();
    await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });
    release();
    assert.equal(await done, key);
    await page.getByText('No calls right now.').waitFor();
    assert.equal(await page.evaluate('performance.timeOrigin'), loadedAt, 'no reload: updated over SSE');

    await page.click('nav >> text=Calls');
    await page.locator(`#history tr[data-call="${key}"]`).waitFor();
    await page.screenshot({ path: join(SHOTS, 'history.png'), fullPage: true });
    await page.click(`#history tr[data-call="${key}"] a`);
    await page.locator('#timeline').waitFor();
    const timeline = (await page.locator('#timeline').textContent()) ?? '';
    assert.match(timeline, /registered for user 1 \(SHOW=0\)/);
    assert.match(timeline, /card shown to user 1 \(extension 101 rings\)/);
    assert.match(timeline, /finished for user 1: status 200/);
    assert.match((await page.locator('.why').textContent()) ?? '', /Assigned\s*✓ finished for user 1/);
    assert.match((await page.locator('#commands').textContent()) ?? '', /telephony\.externalcall\.register[\s\S]*telephony\.externalcall\.finish/);
    await page.screenshot({ path: join(SHOTS, 'call-detail.png'), fullPage: true });
  });

  test('a black-list entry added in the settings stops the next call from being registered', async () => {
    await page.click('nav >> text=Settings');
    await page.fill('textarea[name="lists.black.numbers"]', '+79990001122');
    await page.click('#settings button[type=submit]');
    await page.getByText('Settings saved and applied (black and white lists)').waitFor();
    assert.deepEqual((await panel.settings.get()).lists.black.numbers, ['+79990001122']);
    await page.screenshot({ path: join(SHOTS, 'settings.png'), fullPage: true });

    await page.fill('input[name="calls.defaultUserId"]', 'abc');
    await page.click('#settings button[type=submit]');
    await page.locator('.field-error[data-path="calls.defaultUserId"]').waitFor();

    const key = await panel.simulateCall({ from: '+79990001122', extension: '102' });
    await page.goto(`${server.url}/calls/${key}`);
    assert.match((await page.locator('#timeline').textContent()) ?? '', /not registered: blacklisted \(number \+79990001122\)/);
    assert.match((await page.locator('.why').textContent()) ?? '', /Registered\s*✗ not registered: blacklisted/);
    assert.equal(await page.locator('#commands').count(), 0, 'no REST command');
  });

  test('reset to the config file forgets the panel\'s changes', async () => {
    await page.goto(`${server.url}/settings`);
    assert.equal(await page.inputValue('textarea[name="lists.black.numbers"]'), '+79990001122');
    await page.click('#settings-reset button[type=submit]');
    await page.getByText('Settings saved and applied (black and white lists)').waitFor();
    assert.equal(await page.inputValue('textarea[name="lists.black.numbers"]'), '');
    assert.deepEqual((await panel.settings.get()).lists.black.numbers, []);
  });

  test('a dead command is retried from the panel', async () => {
    const [dead] = panel.deadCommandIds();
    assert.ok(dead);
    await page.goto(`${server.url}/outbox?state=dead`);
    await page.screenshot({ path: join(SHOTS, 'outbox.png'), fullPage: true });
    await page.click(`button[data-retry="${dead}"]`);
    await page.getByText(`Command ${dead} queued again.`).waitFor();
    for (let i = 0; i < 50 && (await panel.outbox.list({ state: 'done' })).every((c) => c.id !== dead); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok((await panel.outbox.list({ state: 'done' })).some((c) => c.id === dead));
    assert.deepEqual(panel.deadCommandIds(), []);
    await page.goto(`${server.url}/`);
    assert.equal(await page.locator('.tile.bad').count(), 0, 'all green once the dead command went out');
    await page.goto(`${server.url}/charts`);
    await page.screenshot({ path: join(SHOTS, 'charts.png'), fullPage: true });
    await page.goto(`${server.url}/hooks`);
    await page.screenshot({ path: join(SHOTS, 'hooks.png'), fullPage: true });
  });
});

describe('admin panel in Russian, in chromium', { skip }, () => {
  let panel: FakePanelPort;
  let server: RunningHttpServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  before(async () => {
    panel = new FakePanelPort({ stepMs: 100 });
    const app = createHttpApp({ panel, texts: ru, metrics: createMetrics(), logger: silentLogger, auth: { user: 'admin', passwordHash: await hashPassword('pa55word', { N: 1024 }) } });
    server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
    profile = mkdtempSync(join(tmpdir(), 'ab24-chromium-ru-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(8_000);
  });

  after(async () => {
    await context?.close();
    panel?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('log in, the dashboard and a live call in Russian (admin.language: ru)', async () => {
    await page.goto(`${server.url}/`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
    await page.fill('input[name=user]', 'admin');
    await page.fill('input[name=password]', 'pa55word');
    await page.click('button:has-text("Войти")');
    await page.waitForURL(`${server.url}/`);
    await page.locator('body[data-sse=open]').waitFor();
    assert.deepEqual(await page.locator('nav a').allTextContents(), ['Сводка', 'Звонки', 'Команды', 'Настройки', 'Хуки', 'Графики', 'Журнал']);
    let release: () => void = () => {};
    const done = panel.simulateCall({ from: '+79161234567', extension: '101', between: () => new Promise<void>((r) => { release = r; }) });
    await page.locator('#live-calls tr[data-call]').waitFor();
    release();
    await page.locator('#live-calls tr[data-call] .conv.conversation_accepted').waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /Звонки сейчас/);
    await page.screenshot({ path: join(import.meta.dirname, '../../docs/screenshots/dashboard-ru.png'), fullPage: true });
    release();
    await done;
  });

  test('a call page in Russian: the "why" and the timeline notes (ui/texts/notes-ru.ts)', async () => {
    const key = await panel.simulateCall({ from: '+79161234568', extension: '101' });
    await page.goto(`${server.url}/calls/${encodeURIComponent(key)}`);
    await page.locator('#timeline').waitFor();
    const why = (await page.locator('.why').textContent()) ?? '';
    assert.match(why, /Регистрация\s*✓ зарегистрирован на пользователя 1 \(SHOW=0\)/);
    assert.match(why, /Карточка\s*✓ карточка звонка показана пользователю 1 \(звонит внутренний 101\)/);
    assert.match(why, /Ответственный\s*✓ завершён на пользователя 1: статус 200/);
    assert.doesNotMatch(why, /registered|card shown|finished for/);
    const timeline = (await page.locator('#timeline').textContent()) ?? '';
    assert.match(timeline, /карточка звонка показана пользователю 1 \(звонит внутренний 101\)/);
    assert.match(timeline, /завершён на пользователя 1: статус 200, разговор \d+ с/);
    assert.deepEqual((await page.locator('#timeline li').allTextContents()).filter((n) => !/[а-яё]/i.test(n)), [], 'a timeline note left in English');
    await page.screenshot({ path: join(import.meta.dirname, '../../docs/screenshots/call-ru.png'), fullPage: true });
  });
});
