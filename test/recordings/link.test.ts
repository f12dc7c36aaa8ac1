import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isPrivateHost, recordLinkFields, recordPublicUrl } from '../../src/adapters/recordings/link.js';
import { ConnectorError } from '../../src/errors.js';

describe('isPrivateHost', () => {
  test('loopback, private, link-local, CGNAT, single-label and local suffixes are private', () => {
    for (const h of ['localhost', 'a.localhost', '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255',
      '192.168.1.10', '169.254.1.1', '100.64.0.1', '0.0.0.0', '[::1]', '::', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1',
      '::ffff:c0a8:101', 'pbx', 'pbx.local', 'asterisk.lan', 'x.internal', 'x.home.arpa', '']) {
      assert.equal(isPrivateHost(h), true, h);
    }
  });
  test('public names and addresses are not', () => {
    for (const h of ['pbx.example.com', '8.8.8.8', '172.32.0.1', '100.128.0.1', '[2001:db8::1]', '2a00:1450::1', '192.169.0.1']) {
      assert.equal(isPrivateHost(h), false, h);
    }
  });
});

describe('recordPublicUrl', () => {
  test('joins base and encoded file name, keeping the base path and query', () => {
    assert.equal(recordPublicUrl('https://pbx.example.com/records', 'in +49 1.mp3'), 'https://pbx.example.com/records/in%20%2B49%201.mp3');
    assert.equal(recordPublicUrl('https://pbx.example.com/r/?k=1', 'a.mp3'), 'https://pbx.example.com/r/a.mp3?k=1');
  });
  test('private base URL → REC_LINK_PRIVATE_URL; none → REC_LINK_NO_BASE_URL', () => {
    assert.throws(() => recordPublicUrl('http://192.168.0.5:8080/rec', 'a.mp3'), (e: unknown) =>
      e instanceof ConnectorError && e.code === 'REC_LINK_PRIVATE_URL' && e.details?.host === '192.168.0.5');
    assert.throws(() => recordPublicUrl('http://127.0.0.1/rec', 'a.mp3'), { code: 'REC_LINK_PRIVATE_URL' });
    assert.throws(() => recordPublicUrl(undefined, 'a.mp3'), { code: 'REC_LINK_NO_BASE_URL' });
    assert.throws(() => recordPublicUrl('ftp://pbx.example.com/', 'a.mp3'), { code: 'REC_LINK_NO_BASE_URL' });
  });
});

describe('recordLinkFields', () => {
  test('audio player + link, HTML description type 3, attribute-escaped', () => {
    assert.deepEqual(recordLinkFields('https://pbx.example.com/r/a.mp3?x=1&y="2"'), {
      DESCRIPTION: '<audio controls preload="none" src="https://pbx.example.com/r/a.mp3?x=1&amp;y=&quot;2&quot;"></audio><br>' +
        '<a href="https://pbx.example.com/r/a.mp3?x=1&amp;y=&quot;2&quot;" target="_blank">Recording</a>',
      DESCRIPTION_TYPE: 3,
    });
    assert.match(recordLinkFields('https://e.com/a.mp3', '<b>Call</b>').DESCRIPTION, />&lt;b&gt;Call&lt;\/b&gt;<\/a>$/);
  });
});
