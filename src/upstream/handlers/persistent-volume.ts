/**
 * `persistentvolume` query (spec §4.2, resource `null/persistentvolume/<name>`): a PV read from the API,
 * for a node one of whose pods uses the claim the volume is bound to.
 * @module
 */
import type { Decision } from '../decision.js';
import type { HandlerInput } from './context.js';
import { decideQuery } from './object-query.js';

/**
 * Decides a `persistentvolume` request: `query` only; bare PV, or `{"Object":null,"Err"}`
 * on failure, which the edge does not store.
 */
export function decidePersistentVolume(input: HandlerInput): Decision {
  return decideQuery(input, {
    resource: 'persistentvolumes',
    servedFromCache: false,
    asNode: true,
    shape: 'stored-object',
    before: (target) => ({ kind: 'read-volume', name: target.name }),
  });
}
