/**
 * A rating IVR: after the employee hangs up, the caller stays in the dialplan (`Dial(…,g)`), presses
 * a digit (`Read(VOTE,…,1)`) and the dialplan `Set(B24_VOTE=${VOTE})` — the VarSet on the caller's
 * channel carries the rating that the finish sends as VOTE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serializeCallFull } from '../../src/core/call/model.js';
import { trackerConfigFrom } from '../../src/cli/replay.js';
import { Harness, ev, newchannel, hangup, dialBegin, dialEnd, bridgeEnter, bridgeLeave, type Chan } from './helpers.js';

const trunk: Chan = { name: 'PJSIP/trunk-00000001', uid: '1700000000.1', linked: '1700000000.1', context: 'from-trunk', exten: '5551000', cid: '+4930123456', state: 'Ring' };
const desk: Chan = { name: 'PJSIP/101-00000002', uid: '1700000000.2', linked: trunk.linked, state: 'Down' };
const varset = (ch: Chan, name: string, value: string) => ev('VarSet', { ch, extra: { Variable: name, Value: value } });

function rated(...votes: Array<[string, string]>) {
  return new Harness().feed(
    newchannel(trunk), newchannel(desk), dialBegin(trunk, desk, 'PJSIP/101'), dialEnd(trunk, desk, 'ANSWER'),
    bridgeEnter(trunk, 'br1'), bridgeEnter(desk, 'br1'), bridgeLeave(desk, 'br1'), hangup(desk, '16'), bridgeLeave(trunk, 'br1'),
    ...votes.map(([k, v]) => varset(trunk, k, v)),
    hangup(trunk, '16'),
  );
}

test('the rating the caller pressed after the talk is the call\'s vote (the last one wins)', () => {
  const h = rated(['VOTE', '4'], ['B24_VOTE', '4'], ['B24_VOTE', '5']);
  const end = h.last().call;
  assert.equal(h.last().stage, 'call_ended');
  assert.equal(end.vote, 5);
  assert.equal(end.statusCode, '200');
  assert.equal((serializeCallFull(end, { linkedid: trunk.linked, uniqueids: [] }) as { vote: unknown }).vote, 5);
});

test('no rating, a timeout (empty), `#` or 7 is no vote; another variable name per pbx.voteVariable', () => {
  assert.equal(rated().last().call.vote, undefined);
  assert.equal(rated(['B24_VOTE', ''], ['B24_VOTE', '#'], ['B24_VOTE', '7']).last().call.vote, undefined);
  assert.equal(rated(['VOTE', '3']).last().call.vote, undefined);
  const cfg = trackerConfigFrom(undefined, { pbx: { voteVariable: 'RATING' } });
  assert.deepEqual(cfg.voteVariables, ['RATING']);
});
