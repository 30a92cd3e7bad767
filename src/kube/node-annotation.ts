/**
 * Marks which cloud instance holds a node's session: annotation `cloudcore=<address>`, as KubeEdge
 * CloudCore does on connect and on node registration (v1.23.1 `cloud/pkg/cloudhub/handler/message_handler.go`).
 * @module
 */
import type { KubeClient } from './client.js';
import { toApiError } from './api-errors.js';

/** The annotation KubeEdge's router and stream features read to find the owning instance. */
export const cloudcoreAnnotation = 'cloudcore';

/**
 * Sets the annotation. A node that does not exist yet is not an error (a joining edge connects before it
 * registers; registration sets the annotation then). Other failures are thrown classified.
 */
export async function annotateCloudcore(
  client: KubeClient,
  nodeName: string,
  address: string,
): Promise<void> {
  try {
    await client.request({
      method: 'PATCH',
      path: `/api/v1/nodes/${encodeURIComponent(nodeName)}`,
      contentType: 'application/merge-patch+json',
      body: { metadata: { annotations: { [cloudcoreAnnotation]: address } } },
      priority: 'records',
    });
  } catch (err) {
    const apiErr = toApiError(err, { verb: 'PATCH', resource: `nodes/${nodeName}` });
    if (apiErr.action !== 'absorb') throw apiErr;
  }
}
