import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clearResyncPending,
  isResyncPending,
  markResyncPending,
  resyncPendingAnnotation,
} from './resync-marker.js';

describe('resync marker', () => {
  it('is set by the mark patch and removed by the clear patch (merge-patch null)', () => {
    const marked = markResyncPending(new Date('2026-12-07T08:00:00Z')) as {
      metadata: { annotations: Record<string, string | null> };
    };
    assert.equal(marked.metadata.annotations[resyncPendingAnnotation], '2026-12-07T08:00:00.000Z');
    assert.equal(isResyncPending(marked), true);
    const cleared = clearResyncPending() as { metadata: { annotations: Record<string, null> } };
    assert.equal(cleared.metadata.annotations[resyncPendingAnnotation], null);
  });

  it('reads a Node without annotations, or without the Node, as not pending', () => {
    assert.equal(isResyncPending(undefined), false);
    assert.equal(isResyncPending({ metadata: {} }), false);
    assert.equal(isResyncPending({ metadata: { annotations: { other: 'x' } } }), false);
  });
});
