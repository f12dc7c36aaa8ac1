import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { dateFolders, datesInName, recordingCandidates } from '../../src/adapters/recordings/locate.js';

describe('datesInName', () => {
  test('FreePBX compact date and dashed dialplan date', () => {
    assert.deepEqual(datesInName('in-+4930123456-5551004-20261122-044741-1795322861.50.wav'), [['2026', '11', '22']]);
    assert.deepEqual(datesInName('1514295827.372-2017-12-26-14_43-123-888999.wav'), [['2017', '12', '26']]);
  });
  test('no false dates inside long numbers or with impossible months', () => {
    assert.deepEqual(datesInName('1795322861.50.wav'), []);
    assert.deepEqual(datesInName('x-20261399-y.wav'), []);
  });
});

describe('dateFolders', () => {
  test('name date first, then local and UTC dates of the call times, both layouts', () => {
    // 2026-11-21 23:30 UTC = 2026-11-22 02:30 at +03:00
    const t = Date.UTC(2026, 10, 21, 23, 30);
    assert.deepEqual(dateFolders('rec.wav', [t], () => 180), ['2026/11/22', '2026-11-22', '2026/11/21', '2026-11-21']);
    assert.deepEqual(dateFolders('in-1-2-20261120-1.wav', [t], () => 0), ['2026/11/20', '2026-11-20', '2026/11/21', '2026-11-21']);
  });
});

describe('recordingCandidates', () => {
  test('absolute path first, then the same name under each dir and its date folders', () => {
    const c = recordingCandidates('/var/spool/asterisk/monitor/a.wav', ['/mnt/rec'], ['2026/11/22']);
    assert.deepEqual(c, [
      '/var/spool/asterisk/monitor/a.wav', '/var/spool/asterisk/monitor/a.mp3',
      '/mnt/rec/a.wav', '/mnt/rec/a.mp3',
      '/mnt/rec/2026/11/22/a.wav', '/mnt/rec/2026/11/22/a.mp3',
    ]);
  });
  test('a name without extension is tried with every audio extension, wav first', () => {
    const c = recordingCandidates('in-100-200-1.5', ['/m'], []);
    assert.equal(c[0], '/m/in-100-200-1.5.wav');
    assert.ok(c.includes('/m/in-100-200-1.5.WAV'));
    assert.ok(c.includes('/m/in-100-200-1.5.gsm'));
    assert.ok(c.includes('/m/in-100-200-1.5.mp3'));
  });
  test('a relative name with folders is tried under each dir as given, then by its base name', () => {
    const c = recordingCandidates('2017/12/26/x.mp3', ['/a', '/b'], []);
    assert.deepEqual(c, ['/a/2017/12/26/x.mp3', '/a/x.mp3', '/b/2017/12/26/x.mp3', '/b/x.mp3']);
  });
  test('empty name → nothing', () => {
    assert.deepEqual(recordingCandidates('  ', ['/a'], ['2026/01/01']), []);
  });
});
