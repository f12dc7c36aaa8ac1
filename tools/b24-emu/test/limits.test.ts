import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { OperatingBudget, RequestBucket } from '../http/limits.js';

describe('RequestBucket (reference §3.1)', () => {
  test('50 pass, the 51st is refused, 2 per second drain back', () => {
    const b = new RequestBucket({ capacity: 50, drainPerSec: 2 });
    const t0 = 1_000_000;
    for (let i = 0; i < 50; i++) assert.equal(b.take('ip', t0), true, `request ${i + 1}`);
    assert.equal(b.take('ip', t0), false);
    assert.equal(b.take('other-ip', t0), true, 'buckets are per source IP');
    assert.equal(b.take('ip', t0 + 499), false, 'less than one slot drained');
    assert.equal(b.take('ip', t0 + 500), true, 'one slot after 0.5 s');
    assert.equal(b.take('ip', t0 + 500), false);
    assert.equal(b.level('ip', t0 + 25_500), 0);
  });
});

describe('OperatingBudget (reference §3.2 worked example)', () => {
  test('480 s limit, 20 s calls: 25 calls pass, the 26th is blocked until a 40 s basket expires', () => {
    const ob = new OperatingBudget(480);
    const t0 = 1_778_747_192_000;
    // basket 1 (minute 0): 2 calls = 40 s; then 23 calls in minute 1 = 460 s → 500 s total.
    for (let i = 0; i < 2; i++) {
      assert.equal(ob.isBlocked('k', t0), false);
      ob.record('k', t0, 20);
    }
    let st = ob.state('k', t0);
    for (let i = 0; i < 23; i++) {
      assert.equal(ob.isBlocked('k', t0 + 60_000), false, `call ${i + 3}`);
      st = ob.record('k', t0 + 60_000, 20);
    }
    assert.equal(st.operating, 500);
    assert.equal(st.resetAt, Math.floor(t0 / 1000) + 600);
    assert.equal(ob.isBlocked('k', t0 + 60_000), true, '26th call blocked');
    assert.equal(ob.isBlocked('other', t0 + 60_000), false, 'other methods/apps unaffected');
    assert.equal(ob.isBlocked('k', t0 + 599_999), true);
    assert.equal(ob.isBlocked('k', t0 + 600_000), false, 'first basket expired: 460 s');
    assert.equal(ob.state('k', t0 + 600_000).operating, 460);
  });
});
