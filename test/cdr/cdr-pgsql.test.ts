/** cdr.source pgsql: the config (one source at a time, the URL a secret and an env override) and the table name quoting (pure). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, maskSecrets, parseConfig } from '../../src/config/load.js';
import { pgTableName } from '../../src/adapters/cdr/pgsql.js';

const base = { bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example/rest/1/abc/' } };
const url = 'postgres://ab24:s3cret@10.0.0.5:5432/asterisk';

test('config: cdr.source pgsql needs cdr.pgsql; defaults; one source at a time; the URL is a secret', () => {
  const c = parseConfig({ ...base, cdr: { source: 'pgsql', pgsql: { url } } });
  assert.deepEqual(c.cdr.pgsql, { url, table: 'cdr', connectTimeoutMs: 5_000, queryTimeoutMs: 30_000, pageSize: 5_000, maxRows: 200_000 });
  assert.equal((maskSecrets(c) as { cdr: { pgsql: { url: string } } }).cdr.pgsql.url, '***');
  assert.equal(parseConfig({ ...base, cdr: { source: 'pgsql', pgsql: { url: 'postgresql://h/db', table: 'asterisk.cdr', timezone: 'Europe/Moscow' } } }).cdr.pgsql?.table, 'asterisk.cdr');
  assert.throws(() => parseConfig({ ...base, cdr: { source: 'pgsql' } }), (e: { code?: string; message: string }) => e.code === 'CONFIG_CDR_PGSQL_MISSING' && /cdr\.pgsql\.url/.test(e.message));
  assert.throws(() => parseConfig({ ...base, cdr: { pgsql: { url } } }), /cdr\.pgsql is set but cdr\.source is "csv": set cdr\.source to "pgsql"/);
  assert.throws(() => parseConfig({ ...base, cdr: { source: 'mysql', mysql: { url: 'mysql://h/db' }, pgsql: { url } } }), /one CDR source at a time/);
  assert.throws(() => parseConfig({ ...base, cdr: { source: 'pgsql', mysql: { url: 'mysql://h/db' }, pgsql: { url } } }), /set cdr\.source to "mysql"/);
  assert.throws(() => parseConfig({ ...base, cdr: { source: 'pgsql', csvPath: '/x', pgsql: { url } } }), /one CDR source at a time/);
  assert.throws(() => parseConfig({ ...base, cdr: { source: 'pgsql', pgsql: { url: 'mysql://h/db' } } }), /postgres:\/\/user:password@host:5432\/asterisk/);
  assert.throws(() => parseConfig({ ...base, cdr: { source: 'pgsql', pgsql: { url: 'postgres://h/' } } }), /the database in the path/);
  assert.throws(() => parseConfig({ ...base, cdr: { source: 'pgsql', pgsql: { url, table: 'cdr; DROP' } } }), /plain table name/);
  assert.throws(() => parseConfig({ ...base, cdr: { source: 'pgsql', pgsql: { url, timezone: 'Mars/Olympus' } } }), /cdr\.pgsql\.timezone: unknown IANA time zone/);
  assert.doesNotThrow(() => parseConfig({ ...base, cdr: { source: 'pgsql', loguniqueid: false, pgsql: { url } } }), 'the Master.csv flags matter for csv only');
});

test('ASTERISK_B24_CDR_PGSQL_URL overrides cdr.pgsql.url', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ab24-cfg-')), 'config.json');
  writeFileSync(file, JSON.stringify({ ...base, cdr: { source: 'pgsql', pgsql: { url: 'postgres://x@h/other' } } }));
  assert.equal(loadConfigFile(file, { ASTERISK_B24_CDR_PGSQL_URL: url }).cdr.pgsql?.url, url);
});

test('table names are quoted, schema-qualified ones part by part', () => {
  assert.equal(pgTableName('cdr'), '"cdr"');
  assert.equal(pgTableName('asterisk.cdr'), '"asterisk"."cdr"');
});
