import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectB24, harness, rec, type Harness } from './helpers.js';

// An ID3 header, as in the doc example "SUQzAwAAAAAiVVRJVDI...".
const MP3_B64 = Buffer.from('ID3\u0003\u0000\u0000\u0000\u0000\u0000"fake-mp3-frames').toString('base64');

function finishedCall(h: Harness): string {
  const callId = String(rec(h.app('telephony.externalcall.register', {
    USER_ID: 1269, PHONE_NUMBER: '79062195047', TYPE: 2, CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 797, SHOW: 1,
    LINE_NUMBER: '3', EXTERNAL_CALL_ID: 'asterisk-1710140185.18441',
  }))['CALL_ID']);
  h.app('telephony.externalcall.finish', { CALL_ID: callId, USER_ID: 1269, DURATION: 95, STATUS_CODE: '200', VOTE: 5, ADD_TO_CHAT: 0 });
  return callId;
}

describe('acceptance 1: register → show → hide → finish → attachRecord → attachTranscription → statistic.get', () => {
  test('ids tie together as in the doc examples', () => {
    const h = harness();
    const callId = finishedCall(h);
    assert.deepEqual(rec(h.hook('telephony.externalCall.attachRecord', { CALL_ID: callId, FILENAME: 'call-001.mp3', FILE_CONTENT: MP3_B64 })), { FILE_ID: 9079 });
    assert.deepEqual(rec(h.hook('telephony.call.attachTranscription', {
      CALL_ID: callId,
      MESSAGES: [
        { SIDE: 'User', START_TIME: 1, STOP_TIME: 3, MESSAGE: 'Good afternoon' },
        { SIDE: 'Client', START_TIME: 4, STOP_TIME: 7, MESSAGE: 'Hello' },
      ],
    })), { TRANSCRIPT_ID: 1 });
    const stats = h.hook('voximplant.statistic.get', { FILTER: { ID: [1, 7], '>=CALL_START_DATE': '2025-01-01T00:00:00+01:00' }, SORT: 'ID', ORDER: 'ASC' });
    assert.equal(stats.total, 1);
    const row = (stats.result as Array<Record<string, unknown>>)[0];
    assert.deepEqual(row && {
      ID: row['ID'], PORTAL_USER_ID: row['PORTAL_USER_ID'], PORTAL_NUMBER: row['PORTAL_NUMBER'], CALL_ID: row['CALL_ID'],
      CALL_DURATION: row['CALL_DURATION'], CALL_VOTE: row['CALL_VOTE'], COST: row['COST'], CALL_FAILED_CODE: row['CALL_FAILED_CODE'],
      CRM_ENTITY_TYPE: row['CRM_ENTITY_TYPE'], CRM_ENTITY_ID: row['CRM_ENTITY_ID'], CRM_ACTIVITY_ID: row['CRM_ACTIVITY_ID'],
      REST_APP_ID: row['REST_APP_ID'], TRANSCRIPT_ID: row['TRANSCRIPT_ID'], TRANSCRIPT_PENDING: row['TRANSCRIPT_PENDING'],
      RECORD_FILE_ID: row['RECORD_FILE_ID'], CALL_TYPE: row['CALL_TYPE'], CALL_CATEGORY: row['CALL_CATEGORY'],
    }, {
      ID: '7', PORTAL_USER_ID: '1269', PORTAL_NUMBER: '3', CALL_ID: callId, CALL_DURATION: '95', CALL_VOTE: '5',
      COST: '0.0000', CALL_FAILED_CODE: '200', CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: '797', CRM_ACTIVITY_ID: '7943',
      REST_APP_ID: '3', TRANSCRIPT_ID: '1', TRANSCRIPT_PENDING: 'N', RECORD_FILE_ID: 9079, CALL_TYPE: '2', CALL_CATEGORY: 'external',
    });
    const view = h.portal.inspect();
    assert.deepEqual(view.records.map((r) => [r.fileId, r.name, r.format, r.size, r.via, r.current]),
      [[9079, 'call-001.mp3', 'mp3', Buffer.from(MP3_B64, 'base64').length, 'base64', true]]);
    assert.equal(Buffer.from(h.portal.recordBytes(9079) ?? []).toString('base64'), MP3_B64);
  });

  test('statistic.get: filter excluding the call, paging, access denied', () => {
    const h = harness({ users: [{ ID: 1, ACTIVE: true }, { ID: 2, ACTIVE: true }], settings: { statisticsDeniedUsers: [2] } });
    for (let i = 0; i < 52; i++) {
      const id = rec(h.app('telephony.externalcall.register', { USER_ID: 1, PHONE_NUMBER: `+1555000${String(i).padStart(4, '0')}`, TYPE: 1 }))['CALL_ID'];
      h.app('telephony.externalcall.finish', { CALL_ID: id, USER_ID: 1, DURATION: i });
    }
    const p1 = h.app('voximplant.statistic.get', { FILTER: { '>CALL_DURATION': 0 } });
    assert.equal(p1.total, 51);
    assert.equal(p1.next, 50);
    assert.equal((p1.result as unknown[]).length, 50);
    const p2 = h.app('voximplant.statistic.get', { FILTER: { '>CALL_DURATION': 0 }, start: 50 });
    assert.deepEqual([(p2.result as unknown[]).length, p2.total, p2.next], [1, 51, undefined]);
    const desc = h.app('voximplant.statistic.get', { SORT: 'CALL_DURATION', ORDER: 'DESC' });
    assert.equal((desc.result as Array<Record<string, unknown>>)[0]?.['CALL_DURATION'], '51');
    expectB24(() => h.app('voximplant.statistic.get', {}, 2), 'ACCESS_DENIED', 'Access denied!', 403);
  });
});

describe('telephony.externalCall.attachRecord', () => {
  test('acceptance 4: before finish → not finished yet', () => {
    const h = harness();
    const callId = rec(h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: '1', TYPE: 2 }))['CALL_ID'];
    expectB24(() => h.app('telephony.externalcall.attachRecord', { CALL_ID: callId, FILENAME: 'a.mp3', FILE_CONTENT: MP3_B64 }),
      'ERROR_CORE', 'Call is not found in the statistic table. Looks like it is not finished yet.');
  });

  test('format and parameter errors', () => {
    const h = harness();
    const callId = finishedCall(h);
    const attach = (p: Record<string, unknown>) => () => h.app('telephony.externalcall.attachRecord', { CALL_ID: callId, ...p });
    expectB24(attach({}), 'ERROR_CORE', 'Required parameters are not set. Request should contain or URL or FILENAME parameter');
    expectB24(attach({ FILENAME: 'rec.ogg', FILE_CONTENT: MP3_B64 }), 'ERROR_CORE', 'Wrong file extension. Only wav and mp3 are allowed');
    expectB24(attach({ FILENAME: 'rec', FILE_CONTENT: MP3_B64 }), 'ERROR_CORE', 'Wrong file extension. Only wav and mp3 are allowed');
    expectB24(attach({ FILENAME: '', FILE_CONTENT: MP3_B64 }), 'ERROR_CORE', 'File name is empty');
    expectB24(attach({ FILENAME: 'rec.mp3', FILE_CONTENT: '' }), 'ERROR_CORE', 'File content is empty.');
    expectB24(attach({ FILENAME: 'rec.mp3', FILE_CONTENT: 'not base64!!' }), 'ERROR_CORE', 'File content is not properly encoded. Base64 encoding is expected.');
    assert.deepEqual(h.portal.inspect().records, []);
  });

  test('wav accepted (any case); a second attach replaces the first', () => {
    const h = harness();
    const callId = finishedCall(h);
    const wav = Buffer.from('RIFF....WAVEfmt ').toString('base64');
    assert.deepEqual(rec(h.app('telephony.externalcall.attachRecord', { CALL_ID: callId, FILENAME: 'a.mp3', FILE_CONTENT: MP3_B64 })), { FILE_ID: 9079 });
    assert.deepEqual(rec(h.app('telephony.externalcall.attachRecord', { CALL_ID: callId, FILENAME: 'B.WAV', FILE_CONTENT: wav })), { FILE_ID: 9080 });
    assert.deepEqual(h.portal.inspect().records.map((r) => [r.fileId, r.format, r.current]), [[9079, 'mp3', false], [9080, 'wav', true]]);
    assert.equal(h.portal.inspect().statistics[0]?.['RECORD_FILE_ID'], 9080);
  });

  test('two-step upload: FILENAME only → uploadUrl + fieldName, then completeUpload', () => {
    const h = harness();
    h.portal.setBaseUrl('http://127.0.0.1:8080');
    const callId = finishedCall(h);
    const r = rec(h.app('telephony.externalcall.attachRecord', { CALL_ID: callId, FILENAME: 'record.mp3' }));
    assert.equal(r['fieldName'], 'file');
    const url = new URL(String(r['uploadUrl']));
    assert.equal(`${url.origin}${url.pathname}`, 'http://127.0.0.1:8080/rest/upload.json');
    const token = url.searchParams.get('token') ?? '';
    assert.match(token, /^telephony\|[0-9a-f]{32}$/);
    const bytes = new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0]);
    assert.deepEqual(h.portal.completeUpload(token, bytes).result, { FILE_ID: 9079 });
    assert.deepEqual(h.portal.inspect().records.map((x) => [x.name, x.size, x.via]), [['record.mp3', 6, 'upload']]);
    expectB24(() => h.portal.completeUpload(token, bytes), 'ERROR_CORE', 'Upload token is not valid');
  });

  test('RECORD_URL: name taken from the URL, kept as the record source', () => {
    const h = harness();
    const callId = finishedCall(h);
    const r = rec(h.app('telephony.externalcall.attachRecord', { CALL_ID: callId, RECORD_URL: 'https://your-domain.example/record.mp3' }));
    assert.deepEqual(r, { FILE_ID: 9079 });
    assert.deepEqual(h.portal.inspect().records.map((x) => [x.name, x.via, x.url]), [['record.mp3', 'url', 'https://your-domain.example/record.mp3']]);
  });
});

describe('telephony.call.attachTranscription', () => {
  test('validation messages and unfinished call', () => {
    const h = harness();
    const open = rec(h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: '1', TYPE: 2 }))['CALL_ID'];
    const ok = [{ SIDE: 'User', START_TIME: 0, STOP_TIME: 1, MESSAGE: 'x' }];
    const t = (p: Record<string, unknown>) => () => h.app('telephony.call.attachTranscription', p);
    expectB24(t({ MESSAGES: ok }), 'ERROR_CORE', 'CALL_ID should be set');
    expectB24(t({ CALL_ID: open, MESSAGES: 'x' }), 'ERROR_CORE', 'MESSAGES should be an array');
    expectB24(t({ CALL_ID: open, MESSAGES: [...ok, { SIDE: 'Bot', START_TIME: 0, STOP_TIME: 1, MESSAGE: 'x' }] }), 'ERROR_CORE', 'MESSAGES[1][SIDE] should be either Client or User');
    expectB24(t({ CALL_ID: open, MESSAGES: [{ SIDE: 'User', START_TIME: -1, STOP_TIME: 1, MESSAGE: 'x' }] }), 'ERROR_CORE', 'MESSAGES[0][START_TIME] should be greater or equal to zero');
    expectB24(t({ CALL_ID: open, MESSAGES: [{ SIDE: 'User', START_TIME: 0, STOP_TIME: 0, MESSAGE: 'x' }] }), 'ERROR_CORE', 'MESSAGES[0][STOP_TIME] should be greater than zero');
    expectB24(t({ CALL_ID: open, MESSAGES: [{ SIDE: 'User', START_TIME: 0, STOP_TIME: 1, MESSAGE: '' }] }), 'ERROR_CORE', 'MESSAGES[0][MESSAGE] is empty');
    expectB24(t({ CALL_ID: open, MESSAGES: ok }), 'ERROR_CORE', `Call ${String(open)} is not found. Is it finished?`);
  });
});

describe('telephony.externalLine.*', () => {
  test('doc examples 1.7: add, update, get, delete with their result types', () => {
    const h = harness();
    assert.deepEqual(rec(h.app('telephony.externalLine.add', { NUMBER: '14151234567', NAME: 'Main External Line', CRM_AUTO_CREATE: 'Y' })), { ID: 1 });
    assert.deepEqual(rec(h.app('telephony.externalLine.add', { NUMBER: '14157654321', NAME: 'Main External Line' })), { ID: 2 });
    assert.deepEqual(rec(h.app('telephony.externalLine.update', { NUMBER: '14151234567', NAME: 'Support Line', CRM_AUTO_CREATE: 'N' })), { ID: '1' });
    assert.deepEqual(h.app('telephony.externalLine.get', {}).result, [
      { NUMBER: '14151234567', NAME: 'Support Line', CRM_AUTO_CREATE: 'N' },
      { NUMBER: '14157654321', NAME: 'Main External Line', CRM_AUTO_CREATE: 'Y' },
    ]);
    assert.deepEqual(h.app('telephony.externalLine.delete', { NUMBER: '14151234567' }).result, []);
    assert.equal(JSON.stringify(h.app('telephony.externalLine.delete', { NUMBER: '14157654321' }).result), '[]');
    assert.deepEqual(h.app('telephony.externalLine.get').result, []);
  });

  test('errors and app-only refusal', () => {
    const h = harness();
    h.app('telephony.externalLine.add', { NUMBER: 'line-1', NAME: 'External line' });
    expectB24(() => h.app('telephony.externalLine.add', { NAME: 'x' }), 'ERROR_CORE', 'NUMBER should not be empty');
    expectB24(() => h.app('telephony.externalLine.add', { NUMBER: 'line-1' }), 'ERROR_CORE', 'Line already exists');
    expectB24(() => h.app('telephony.externalLine.update', { NUMBER: 'line-1' }), 'ERROR_CORE', 'There are no fields to update');
    expectB24(() => h.app('telephony.externalLine.update', { NUMBER: 'line-9', NAME: 'x' }), 'ERROR_CORE', 'Could not find line with number line-9');
    expectB24(() => h.app('telephony.externalLine.delete', { NUMBER: 'line-9' }), 'ERROR_CORE', 'Could not find line with number line-9');
    for (const m of ['add', 'update', 'get', 'delete']) {
      expectB24(() => h.hook(`telephony.externalLine.${m}`, { NUMBER: 'line-1', NAME: 'x' }), 'WRONG_AUTH_TYPE', 'Current authorization type is denied for this method', 403);
    }
  });
});
