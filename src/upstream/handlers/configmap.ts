/**
 * `configmap` query (spec §4.2): a ConfigMap from the informer store, for a node one of whose pods
 * references it. KubeEdge serves it from its lister, unauthorized.
 * @module
 */
import type { Decision } from '../decision.js';
import type { HandlerInput } from './context.js';
import { decideQuery } from './object-query.js';

/**
 * Decides a `configmap` request: `query` only; bare ConfigMap, or `{"Object":null,"Err"}`
 * on failure, which the edge does not store.
 */
export function decideConfigMap(input: HandlerInput): Decision {
  return decideQuery(input, {
    resource: 'configmaps',
    servedFromCache: true,
    asNode: true,
    shape: 'stored-object',
    before: (target) => ({
      kind: 'read-object',
      objectKind: 'ConfigMap',
      namespace: target.namespace ?? '',
      name: target.name,
    }),
  });
}
