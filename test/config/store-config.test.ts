/**
 * store.driver "postgres": store.url is required (CONFIG_STORE_URL_MISSING), a secret (masked,
 * settable from ASTERISK_B24_STORE_URL), and the SQLite default is unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, maskSecrets, parseConfig } from '../../src/config/load.js';
import { storeLocation } from '../../src/adapters/store/open-store.js';
import { isConnectorError } from '../../src/errors.js';

const minimal = { bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example/rest/1/abc123/' } };
const URL_ = 'postgres://ab24:pw-secret@db.example:5432/asterisk_b24';

test('the default store is SQLite; postgres with a url parses with pool defaults', () => {
  assert.deepEqual(parseConfig(minimal).store, { driver: 'sqlite', path: './asterisk-b24.sqlite', poolMax: 5, connectTimeoutMs: 5_000 });
  const c = parseConfig({ ...minimal, store: { driver: 'postgres', url: URL_, poolMax: 8 } });
  assert.equal(c.store.driver, 'postgres');
  assert.equal(c.store.poolMax, 8);
  assert.equal(storeLocation(c.store), 'postgres://ab24:***@db.example:5432/asterisk_b24');
});

test('postgres without a url: CONFIG_STORE_URL_MISSING naming store.url', () => {
  assert.throws(() => parseConfig({ ...minimal, store: { driver: 'postgres' } }), (e) => {
    assert.ok(isConnectorError(e));
    assert.equal(e.code, 'CONFIG_STORE_URL_MISSING');
    assert.match(e.message, /store\.url: .*postgres:\/\/user:password@host:5432\/database/);
    return true;
  });
  // Among other problems it is one line of CONFIG_INVALID.
  assert.throws(() => parseConfig({ ...minimal, ami: { port: 'x' }, store: { driver: 'postgres' } }), (e) => isConnectorError(e) && e.code === 'CONFIG_INVALID' && /store\.url/.test(e.message));
  assert.throws(() => parseConfig({ ...minimal, store: { driver: 'postgres', url: 'mysql://x/y' } }), (e) => isConnectorError(e) && e.code === 'CONFIG_INVALID');
});

test('store.url is a secret: masked, and ASTERISK_B24_STORE_URL sets it', () => {
  const masked = maskSecrets(parseConfig({ ...minimal, store: { driver: 'postgres', url: URL_ } })) as { store: { url: string } };
  assert.equal(masked.store.url, '***');
  const dir = mkdtempSync(join(tmpdir(), 'ab24-cfg-'));
  writeFileSync(join(dir, 'c.json'), JSON.stringify({ ...minimal, store: { driver: 'postgres' } }));
  const c = loadConfigFile(join(dir, 'c.json'), { ASTERISK_B24_STORE_URL: URL_ });
  assert.equal(c.store.url, URL_);
});

test('cdr.mysql.url from ASTERISK_B24_CDR_MYSQL_URL (the CDR database password stays out of the file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ab24-cfg-'));
  const mysql = 'mysql://cdrreader:s3cret@pbx.lan:3306/asteriskcdrdb';
  writeFileSync(join(dir, 'c.json'), JSON.stringify({ ...minimal, cdr: { source: 'mysql', mysql: { table: 'cdr' } } }));
  const c = loadConfigFile(join(dir, 'c.json'), { ASTERISK_B24_CDR_MYSQL_URL: mysql });
  assert.equal(c.cdr.mysql?.url, mysql);
  assert.equal((maskSecrets(c) as { cdr: { mysql: { url: string } } }).cdr.mysql.url, '***');
});
