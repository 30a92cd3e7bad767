/**
 * `secret` query (spec §4.2): a Secret from the informer store, for a node one of whose pods references
 * it. KubeEdge serves any Secret to any node unless authorization is on (field-lessons: how Secrets reach
 * the wrong node).
 * @module
 */
import type { Decision } from '../decision.js';
import type { HandlerInput } from './context.js';
import { decideQuery } from './object-query.js';

/**
 * Decides a `secret` request: `query` only; bare Secret, or `{"Object":null,"Err"}`
 * on failure, which the edge does not store.
 */
export function decideSecret(input: HandlerInput): Decision {
  return decideQuery(input, {
    resource: 'secrets',
    servedFromCache: true,
    asNode: true,
    shape: 'stored-object',
    before: (target) => ({
      kind: 'read-object',
      objectKind: 'Secret',
      namespace: target.namespace ?? '',
      name: target.name,
    }),
  });
}
