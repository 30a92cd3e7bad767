/**
 * `persistentvolumeclaim` query (spec §4.2): a PVC read from the API (KubeEdge has no lister for them),
 * for a node one of whose pods uses it.
 * @module
 */
import type { Decision } from '../decision.js';
import type { HandlerInput } from './context.js';
import { decideQuery } from './object-query.js';

/**
 * Decides a `persistentvolumeclaim` request: `query` only; bare PVC, or `{"Object":null,"Err"}`
 * on failure, which the edge does not store.
 */
export function decidePersistentVolumeClaim(input: HandlerInput): Decision {
  return decideQuery(input, {
    resource: 'persistentvolumeclaims',
    servedFromCache: false,
    asNode: true,
    shape: 'stored-object',
    before: (target) => ({
      kind: 'read-object',
      objectKind: 'PersistentVolumeClaim',
      namespace: target.namespace ?? '',
      name: target.name,
    }),
  });
}
