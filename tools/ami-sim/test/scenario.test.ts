import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../server/scenario-file.js';
import { parseLoadSpec, weightedPicker } from '../server/load.js';
import { parseSimAmiArgs } from '../cli.js';
import { extensionMatches } from '../server/pbx-config.js';
import { parseEventMask, privilegeMask, EVENT_CLASSES } from '../server/privilege.js';
import { toGeneratorOriginate } from '../server/generator-adapter.js';

describe('scenario file', () => {
  test('accepts transcripts, presets, inline and nested specs, with repeat; sorted by offset', () => {
    const sc = parseScenario([
      { at: 500, transcript: 'calls/a.txt' },
      { at: 0, preset: 'queue', repeat: 2, every: 1000 },
      { at: 250, type: 'inbound', from: '+4930123456', did: '5551000', to: '101', outcome: 'busy' },
      { at: 300, spec: { type: 'internal', from: '101', to: '102', outcome: 'answered' } },
    ], '/srv/sc');
    assert.deepEqual(sc.calls, [
      { at: 0, kind: 'preset', preset: 'queue' },
      { at: 250, kind: 'spec', spec: { type: 'inbound', from: '+4930123456', did: '5551000', to: '101', outcome: 'busy' } },
      { at: 300, kind: 'spec', spec: { type: 'internal', from: '101', to: '102', outcome: 'answered' } },
      { at: 500, kind: 'transcript', path: '/srv/sc/calls/a.txt' },
      { at: 1000, kind: 'preset', preset: 'queue' },
    ]);
    assert.equal(parseScenario({ timeScale: 0.5, calls: [] }, '/').timeScale, 0.5);
  });

  test('rejects bad entries with SIM_SCENARIO_INVALID', () => {
    assert.throws(() => parseScenario({ calls: 'x' }, '/'), { code: 'SIM_SCENARIO_INVALID' });
    assert.throws(() => parseScenario([{ at: -1, transcript: 'a' }], '/'), { code: 'SIM_SCENARIO_INVALID' });
    assert.throws(() => parseScenario([{ at: 0 }], '/'), { code: 'SIM_SCENARIO_INVALID' });
    assert.throws(() => parseScenario([{ preset: 'nope' }], '/'), { code: 'SIM_SCENARIO_INVALID' });
    assert.throws(() => parseScenario([{ type: 'inbound', agi: 'localhost' }], '/'), { code: 'SIM_SCENARIO_INVALID' });
    assert.throws(() => parseScenario([{ type: 'inbound', agi: '127.0.0.1:99999' }], '/'), { code: 'SIM_SCENARIO_INVALID' });
    assert.deepEqual(parseScenario([{ type: 'inbound', from: '+1', agi: '127.0.0.1:4573' }], '/').calls[0],
      { at: 0, kind: 'spec', spec: { type: 'inbound', from: '+1' }, agi: { host: '127.0.0.1', port: 4573 } });
  });
});

describe('load spec', () => {
  test('parses rate, concurrency, total and the comma-separated mix', () => {
    assert.deepEqual(parseLoadSpec('rate=2.5,concurrency=3,total=10,mix=inbound:5,queue:2'), {
      rate: 2.5, concurrency: 3, total: 10, mix: [{ name: 'inbound', weight: 5 }, { name: 'queue', weight: 2 }],
    });
    assert.deepEqual(parseLoadSpec('rate=1'), { rate: 1, concurrency: 10, total: 0, mix: [{ name: 'inbound', weight: 1 }] });
    assert.throws(() => parseLoadSpec('rate=0'), { code: 'SIM_LOAD_INVALID' });
    assert.throws(() => parseLoadSpec('speed=3'), { code: 'SIM_LOAD_INVALID' });
    assert.throws(() => parseLoadSpec('mix=inbound:0'), { code: 'SIM_LOAD_INVALID' });
  });

  test('weighted picker interleaves deterministically', () => {
    const pick = weightedPicker([{ name: 'a', weight: 5 }, { name: 'b', weight: 2 }]);
    assert.deepEqual(Array.from({ length: 7 }, pick), ['a', 'b', 'a', 'a', 'a', 'b', 'a']);
  });
});

describe('CLI arguments', () => {
  test('parses flags in both forms', () => {
    assert.deepEqual(parseSimAmiArgs(['--port', '5038', '--host=0.0.0.0', '--username', 'u', '--secret', 's', '--time-scale', '0']), {
      host: '0.0.0.0', port: 5038, username: 'u', secret: 's', timeScale: 0, generator: true,
    });
    assert.deepEqual(parseSimAmiArgs(['--load', 'rate=1,total=2', '--no-generator']).load, {
      rate: 1, concurrency: 10, total: 2, mix: [{ name: 'inbound', weight: 1 }],
    });
    assert.throws(() => parseSimAmiArgs(['--bogus']), /unknown argument/);
    assert.throws(() => parseSimAmiArgs(['--port', '70000']), /0\.\.65535/);
    assert.throws(() => parseSimAmiArgs(['--scenario', 'a.json', '--load', 'rate=1']), /exclusive/);
  });
});

describe('small helpers', () => {
  test('extension patterns', () => {
    assert.equal(extensionMatches('_1XX', '101'), true);
    assert.equal(extensionMatches('_1XX', '1010'), false);
    assert.equal(extensionMatches('_0X.', '0049301234'), true);
    assert.equal(extensionMatches('_[2-4]N', '32'), true);
    assert.equal(extensionMatches('5551000', '5551000'), true);
  });

  test('event masks', () => {
    assert.equal(parseEventMask('off'), 0);
    assert.equal(parseEventMask('call, agent'), (EVENT_CLASSES.call ?? 0) | (EVENT_CLASSES.agent ?? 0));
    assert.equal(parseEventMask('2'), EVENT_CLASSES.call);
    assert.equal(privilegeMask('dialplan,all'), EVENT_CLASSES.dialplan);
  });

  test('Originate is mapped onto the generator\'s request with the phone behaviour', () => {
    const req = toGeneratorOriginate({
      channel: 'PJSIP/101', tech: 'PJSIP', resource: '101', context: 'from-internal', exten: '0049301234', priority: '1',
      timeoutMs: 30000, variables: [['B24_CALL_ID', 'abc']], async: true, actionId: '7', callerId: '"CRM" <0049301234>',
    }, { phones: { '101': { kind: 'busy' } } });
    assert.deepEqual(req, {
      channel: 'PJSIP/101', context: 'from-internal', exten: '0049301234', priority: 1, callerId: '"CRM" <0049301234>',
      variables: { B24_CALL_ID: 'abc' }, actionId: '7', timeoutMs: 30000, phone: { kind: 'busy' },
    });
  });
});
