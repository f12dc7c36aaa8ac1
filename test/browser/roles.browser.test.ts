/**
 * Roles and the audit log in a real browser (Debian chromium through playwright-core) against the
 * fake port: an admin saves a black-list entry; a viewer then logs in, finds no Save, Reset or
 * Retry button, and sees the admin's change on the Audit page (docs/screenshots/audit.png).
 * Skipped (with a message) when /usr/bin/chromium is missing.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { silentLogger } from '../../src/log.js';
import { createHttpApp } from '../../src/adapters/http/app.js';
import { hashPassword } from '../../src/adapters/http/auth.js';
import { FakePanelPort } from '../../src/adapters/http/fake-panel-port.js';
import { createMetrics } from '../../src/adapters/http/metrics.js';
import { startHttpServer, type RunningHttpServer } from '../../src/adapters/http/server.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;

describe('roles and the audit log in chromium', { skip }, () => {
  let panel: FakePanelPort;
  let server: RunningHttpServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  before(async () => {
    panel = new FakePanelPort({ stepMs: 100 });
    const app = createHttpApp({
      panel, metrics: createMetrics(), logger: silentLogger,
      auth: {
        user: 'admin', passwordHash: await hashPassword('pa55word', { N: 1024 }),
        users: [{ user: 'supervisor', passwordHash: await hashPassword('look-only', { N: 1024 }), role: 'viewer' }],
      },
    });
    server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
    profile = mkdtempSync(join(tmpdir(), 'ab24-chromium-roles-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 720 } });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(8_000);
  });

  after(async () => {
    await context?.close();
    panel?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const logIn = async (user: string, password: string): Promise<void> => {
    await page.goto(`${server.url}/login`);
    await page.fill('input[name=user]', user);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.url}/`);
  };

  test('an admin saves a black-list entry, then logs out', async () => {
    await logIn('admin', 'pa55word');
    await page.click('nav >> text=Settings');
    await page.fill('textarea[name="lists.black.numbers"]', '+79990001122');
    await page.click('#settings button[type=submit]');
    await page.getByText('Settings saved and applied (black and white lists)').waitFor();
    await page.click('form.logout button[type=submit]');
    await page.waitForURL(`${server.url}/login`);
  });

  test('a viewer sees the settings without a Save button, the outbox without Retry, and the admin\'s change on the Audit page', async () => {
    await logIn('supervisor', 'look-only');
    assert.equal(await page.locator('header .role').textContent(), 'viewer');
    await page.click('nav >> text=Settings');
    await page.locator('#read-only').waitFor();
    assert.equal(await page.inputValue('textarea[name="lists.black.numbers"]'), '+79990001122');
    assert.equal(await page.locator('textarea[name="lists.black.numbers"]').isDisabled(), true);
    assert.equal(await page.locator('#settings button[type=submit]').count(), 0, 'no Save button');
    assert.equal(await page.locator('#settings-reset').count(), 0, 'no Reset form');
    await page.goto(`${server.url}/outbox?state=dead`);
    assert.ok(await page.locator('#outbox tr[data-command]').count() > 0);
    assert.equal(await page.locator('button[data-retry]').count(), 0, 'no Retry button');

    await page.click('nav >> text=Audit');
    const row = page.locator('#audit tr[data-action="settings.save"]');
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    assert.match(text, /admin/);
    assert.match(text, /Settings saved/);
    assert.match(text, /lists\.black\.numbers: \[\] → \["\+79990001122"\]/);
    await page.screenshot({ path: join(import.meta.dirname, '../../docs/screenshots/audit.png'), fullPage: true });
  });
});
