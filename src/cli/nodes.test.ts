import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNodes } from './nodes.js';

describe('formatNodes', () => {
  it('prints one aligned row per node with its owner, ages and queue sizes (- where another replica holds it)', () => {
    const text = formatNodes(
      [
        {
          node: 'edge-1',
          owner: 'replica-a',
          state: {
            connected: true,
            connectedAt: 0,
            lastKeepaliveAt: 9_000,
            queue: { pendingAck: 2, pendingNoAck: 1, inFlight: 3 },
          },
        },
        {
          node: 'edge-22',
          state: {
            connected: false,
            lastDisconnect: 'keepalive_timeout',
            queue: { pendingAck: 0, pendingNoAck: 0, inFlight: 0 },
          },
        },
        { node: 'edge-3', owner: 'replica-b' },
      ],
      10_000,
    );
    assert.equal(
      text,
      [
        'NODE     OWNER      CONNECTED  SINCE    LAST KEEPALIVE  QUEUED  IN FLIGHT  LAST DISCONNECT',
        'edge-1   replica-a  yes        10s ago  1s ago          3       3          -',
        'edge-22  -          no         -        -               0       0          keepalive_timeout',
        'edge-3   replica-b  -          -        -               -       -          -',
        '',
      ].join('\n'),
    );
  });
});
