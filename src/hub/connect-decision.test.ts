import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideConnect } from './connect-decision.js';
import type { ConnectRequest } from './connect-decision.js';

const policy = { nodeLimit: 2, allowLegacyEdgeCert: false };
const base: ConnectRequest = {
  headers: { node_id: 'edge-1', project_id: 'p', connectionuse: 'msg' },
  peer: { commonName: 'system:node:edge-1', organizations: ['system:nodes'] },
  connectedCount: 0,
  isNodeConnected: () => false,
};

describe('decideConnect', () => {
  it('accepts a node whose certificate names it', () => {
    assert.deepEqual(decideConnect(base, policy), {
      accept: true,
      nodeName: 'edge-1',
      projectId: 'p',
      replaces: false,
    });
  });

  it('compares the first value of a duplicated ConnectionUse header ("msg, msg")', () => {
    const d = decideConnect({ ...base, headers: { ...base.headers, connectionuse: 'msg, msg' } }, policy);
    assert.equal(d.accept, true);
  });

  const refusals: [string, Partial<ConnectRequest>, string][] = [
    ['no client certificate', { peer: undefined }, 'missing_certificate'],
    ['no node_id', { headers: { connectionuse: 'msg' } }, 'bad_headers'],
    ['an invalid node name', { headers: { node_id: 'Edge_1', connectionuse: 'msg' } }, 'bad_headers'],
    [
      'a stream connection',
      { headers: { node_id: 'edge-1', connectionuse: 'stream' } },
      'not_msg_connection',
    ],
    [
      "another node's certificate",
      { peer: { commonName: 'system:node:edge-2', organizations: ['system:nodes'] } },
      'identity_mismatch',
    ],
    [
      'a certificate without O=system:nodes',
      { peer: { commonName: 'system:node:edge-1', organizations: [] } },
      'identity_mismatch',
    ],
    [
      'the legacy shared certificate when not allowed',
      { peer: { commonName: 'kubeedge.io', organizations: ['KubeEdge'] } },
      'identity_mismatch',
    ],
    ['a new node beyond the node limit', { connectedCount: 2 }, 'node_limit'],
    ['a repeat offender still in its refusal', { refusedForMs: () => 1500 }, 'repeat_offender'],
  ];
  for (const [what, change, reason] of refusals) {
    it(`refuses ${what}`, () => {
      const d = decideConnect({ ...base, ...change }, policy);
      assert.equal(d.accept ? 'accepted' : d.reason, reason);
    });
  }

  it('lets a connected node reconnect at the limit, replacing its session', () => {
    const d = decideConnect({ ...base, connectedCount: 2, isNodeConnected: (n) => n === 'edge-1' }, policy);
    assert.deepEqual(d, { accept: true, nodeName: 'edge-1', projectId: 'p', replaces: true });
  });

  it('refuses a repeat offender with 429 and when to retry, but only once its certificate named it', () => {
    const d = decideConnect({ ...base, refusedForMs: (n) => (n === 'edge-1' ? 1500 : 0) }, policy);
    assert.ok(!d.accept);
    assert.equal(d.status, 429);
    assert.equal(d.retryAfterSeconds, 2);
    const impostor = decideConnect(
      {
        ...base,
        peer: { commonName: 'system:node:edge-2', organizations: ['system:nodes'] },
        refusedForMs: () => 1500,
      },
      policy,
    );
    assert.equal(impostor.accept ? 'accepted' : impostor.reason, 'identity_mismatch');
    assert.equal(decideConnect({ ...base, refusedForMs: () => 0 }, policy).accept, true);
  });

  it('accepts the legacy shared certificate only when configured', () => {
    const legacy = { ...base, peer: { commonName: 'kubeedge.io', organizations: ['KubeEdge'] } };
    assert.equal(decideConnect(legacy, { ...policy, allowLegacyEdgeCert: true }).accept, true);
  });
});
