/**
 * Two small reads of the cluster the composition root needs: the cluster CA that edges ask for
 * (`k8s/ca.crt`) and whether a Node exists (the certificate server's `/node/{name}`).
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { KubeClient } from './client.js';
import { toApiError } from './api-errors.js';

/** The kubeconfig's cluster CA as PEM (inline data or file), or '' when it has none (a public CA). */
export async function readClusterCa(client: Pick<KubeClient, 'kubeConfig'>): Promise<string> {
  const cluster = client.kubeConfig.getCurrentCluster();
  if (cluster?.caData !== undefined && cluster.caData !== '') {
    return Buffer.from(cluster.caData, 'base64').toString('utf8');
  }
  if (cluster?.caFile !== undefined && cluster.caFile !== '') return readFile(cluster.caFile, 'utf8');
  return '';
}

/** Whether Node `name` exists; a 404 is the answer "no", any other failure is thrown. */
export async function nodeExists(client: Pick<KubeClient, 'request'>, name: string): Promise<boolean> {
  const path = `/api/v1/nodes/${encodeURIComponent(name)}`;
  try {
    await client.request({ method: 'GET', path });
    return true;
  } catch (err) {
    if (toApiError(err, { verb: 'GET', resource: path }).action === 'absorb') return false;
    throw err;
  }
}
