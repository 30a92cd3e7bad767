/**
 * A small read of the cluster the composition root needs: the cluster CA that edges ask for
 * (`k8s/ca.crt`). (`/node/{name}` answers from the Node informer's store, not from a read.)
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { KubeClient } from './client.js';

/** The kubeconfig's cluster CA as PEM (inline data or file), or '' when it has none (a public CA). */
export async function readClusterCa(client: Pick<KubeClient, 'kubeConfig'>): Promise<string> {
  const cluster = client.kubeConfig.getCurrentCluster();
  if (cluster?.caData !== undefined && cluster.caData !== '') {
    return Buffer.from(cluster.caData, 'base64').toString('utf8');
  }
  if (cluster?.caFile !== undefined && cluster.caFile !== '') return readFile(cluster.caFile, 'utf8');
  return '';
}
