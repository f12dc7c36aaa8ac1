/** The shipped example configs load and mean what docs/operations.md says; the unit runs `start`. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfigFile } from '../../src/config/load.js';

const dir = new URL('../../examples/', import.meta.url).pathname;

describe('examples', () => {
  test('asterisk-oauth.json: OAuth app, push events, a trunk line, tasks on', () => {
    const c = loadConfigFile(`${dir}config/asterisk-oauth.json`, {});
    assert.equal(c.bitrix.auth, 'oauth');
    assert.equal(c.bitrix.events.push, true);
    assert.equal(c.http.publicUrl, 'https://pbx.example.com');
    assert.deepEqual(c.pbx.trunks.map((t) => [t.endpoint, t.line]), [['provider', '74951234567']]);
    assert.equal(c.tasks.missedCalls, true);
    assert.equal(c.ami.events, 'call,dialplan,agent,system');
  });

  test('freepbx-webhook.json: webhook, FreePBX contexts and click-to-call preset', () => {
    const c = loadConfigFile(`${dir}config/freepbx-webhook.json`, {});
    assert.equal(c.bitrix.auth, 'webhook');
    assert.equal(c.clickToCall.preset, 'freepbx');
    assert.ok(c.pbx.internalContexts.includes('from-internal'));
    assert.ok(c.pbx.internalContexts.includes('dial-with-exten'));
  });

  test('demo.json: both simulators on loopback; secrets can come from the environment', () => {
    const c = loadConfigFile(`${dir}config/demo.json`, { ASTERISK_B24_AMI_SECRET: 'from-env' });
    assert.equal(c.ami.secret, 'from-env');
    assert.equal(c.bitrix.webhookUrl, 'http://127.0.0.1:8090/rest/1/650ee700c728c058/');
    assert.equal(c.recordings.enabled, false);
  });

  test('systemd unit: checks the config, then starts as the service user', () => {
    const unit = readFileSync(`${dir}systemd/asterisk-b24.service`, 'utf8');
    assert.match(unit, /^ExecStartPre=\/opt\/asterisk-b24\/bin\/asterisk-b24 config-check --config \/etc\/asterisk-b24\/config\.json$/m);
    assert.match(unit, /^ExecStart=\/opt\/asterisk-b24\/bin\/asterisk-b24 start --config \/etc\/asterisk-b24\/config\.json$/m);
    assert.match(unit, /^User=asterisk-b24$/m);
    assert.match(unit, /^ReadWritePaths=\/var\/lib\/asterisk-b24$/m);
  });

  test('systemd template unit: one instance per PBX / portal pair, each with its config, secrets and state folder', () => {
    const unit = readFileSync(`${dir}systemd/asterisk-b24@.service`, 'utf8');
    assert.match(unit, /^ExecStartPre=\/opt\/asterisk-b24\/bin\/asterisk-b24 config-check --config \/etc\/asterisk-b24\/%i\.json$/m);
    assert.match(unit, /^ExecStart=\/opt\/asterisk-b24\/bin\/asterisk-b24 start --config \/etc\/asterisk-b24\/%i\.json$/m);
    assert.match(unit, /^EnvironmentFile=-\/etc\/asterisk-b24\/%i\.env$/m);
    assert.match(unit, /^StateDirectory=asterisk-b24\/%i$/m);
    assert.match(unit, /^ReadWritePaths=\/var\/lib\/asterisk-b24\/%i$/m);
    assert.doesNotMatch(unit, /config\.json|\/etc\/asterisk-b24\/env$/m);
  });
});
