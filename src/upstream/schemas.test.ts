import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import {
  deleteOptionsSchema,
  eventSchema,
  nodeSchema,
  podStatusRequestSchema,
  tokenRequestSchema,
} from './schemas.js';

// Each row: a schema, a value, whether Go's json.Unmarshal into the typed struct would accept it.
const table: [string, z.ZodType, unknown, boolean][] = [
  [
    "the hollow edge's Node (no apiVersion/kind, capital Port)",
    nodeSchema,
    {
      metadata: { name: 'edge-a', labels: { 'node-role.kubernetes.io/edge': '' }, creationTimestamp: null },
      status: {
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-11-23T22:13:21Z' }],
        daemonEndpoints: { kubeletEndpoint: { Port: 10350 } },
      },
    },
    true,
  ],
  ['a Node with a numeric label value', nodeSchema, { metadata: { labels: { a: 1 } } }, false],
  [
    'a Node with a bad heartbeat time',
    nodeSchema,
    { status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'yesterday' }] } },
    false,
  ],
  [
    'a PodStatusRequest',
    podStatusRequestSchema,
    { UID: 'u', Name: 'p', Status: { phase: 'Running', startTime: null } },
    true,
  ],
  ['a PodStatusRequest without Name', podStatusRequestSchema, { UID: 'u', Status: {} }, false],
  ['a TokenRequest without spec', tokenRequestSchema, { metadata: {} }, false],
  ['an Event without involvedObject', eventSchema, { metadata: { name: 'e' } }, false],
  ['DeleteOptions with a negative grace period', deleteOptionsSchema, { gracePeriodSeconds: -1 }, false],
  [
    'DeleteOptions with nulls (Go zero values)',
    deleteOptionsSchema,
    { gracePeriodSeconds: null, preconditions: null },
    true,
  ],
];

describe('schemas', () => {
  for (const [name, schema, value, accepted] of table) {
    it(`${accepted ? 'accepts' : 'rejects'} ${name}`, () => {
      assert.equal(schema.safeParse(value).success, accepted);
    });
  }

  it('keeps fields it does not know, deep inside', () => {
    const pod = {
      UID: 'u',
      Name: 'p',
      Status: {
        phase: 'Running',
        podIPs: [{ ip: '10.0.0.1' }],
        conditions: [{ type: 'Ready', status: 'True', reason: 'R' }],
      },
    };
    assert.deepEqual(podStatusRequestSchema.parse(pod), pod);
  });
});
