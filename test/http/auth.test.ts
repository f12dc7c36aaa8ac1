import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AttemptLimiter, SessionStore, hashPassword, parsePasswordHash, tokensMatch, verifyPassword } from '../../src/adapters/http/auth.js';

describe('password hashes', () => {
  test('format scrypt$N$r$p$salt$hash and verification', async () => {
    const h = await hashPassword('s3cret', { N: 1024, r: 8, p: 1 });
    assert.match(h, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(parsePasswordHash(h)?.hash.length, 32);
    assert.equal(await verifyPassword('s3cret', h), true);
    assert.equal(await verifyPassword('s3cret ', h), false);
    assert.notEqual(await hashPassword('s3cret', { N: 1024 }), h, 'salted');
  });
  test('malformed hashes never match', async () => {
    for (const bad of ['', 'plain', 'scrypt$1000$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==', 'bcrypt$x']) {
      assert.equal(await verifyPassword('x', bad), false, bad);
    }
    await assert.rejects(hashPassword('x', { N: 1000 }), { code: 'HTTP_BAD_HASH_PARAMS' });
  });
  test('tokensMatch is strict', () => {
    assert.equal(tokensMatch('abc', 'abc'), true);
    assert.equal(tokensMatch('abc', 'abd'), false);
    assert.equal(tokensMatch('abc', undefined), false);
    assert.equal(tokensMatch('', ''), false);
  });
});

describe('sessions', () => {
  test('idle expiry and touch', () => {
    const clock = { now: 0 };
    const s = new SessionStore({ now: () => clock.now, idleMs: 1000, absoluteMs: 10_000 });
    const a = s.create('admin');
    assert.notEqual(a.id, a.csrf);
    clock.now = 900;
    assert.equal(s.get(a.id)?.user, 'admin');
    clock.now = 1800; // 900 ms after the touch
    assert.equal(s.get(a.id)?.id, a.id);
    clock.now = 2801;
    assert.equal(s.get(a.id), undefined);
    assert.equal(s.size, 0);
  });
  test('absolute expiry and destroy', () => {
    const clock = { now: 0 };
    const s = new SessionStore({ now: () => clock.now, idleMs: 1000, absoluteMs: 2500 });
    const a = s.create('admin');
    for (clock.now = 500; clock.now <= 2500; clock.now += 500) assert.ok(s.get(a.id));
    clock.now = 2501;
    assert.equal(s.get(a.id), undefined);
    const b = s.create('admin');
    s.destroy(b.id);
    assert.equal(s.get(b.id), undefined);
  });
});

describe('attempt limiter', () => {
  test('5 failures per minute, then Retry-After until the oldest leaves the window', () => {
    const clock = { now: 0 };
    const l = new AttemptLimiter({ now: () => clock.now, max: 5, windowMs: 60_000 });
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(l.check('ip:1'), { allowed: true });
      l.fail('ip:1');
      clock.now += 1000;
    }
    assert.deepEqual(l.check('ip:1'), { allowed: false, retryAfterSec: 55 });
    assert.deepEqual(l.check('ip:2'), { allowed: true });
    clock.now = 60_000;
    assert.deepEqual(l.check('ip:1'), { allowed: true });
    l.reset('ip:1');
    assert.deepEqual(l.check('ip:1'), { allowed: true });
  });
});
