/**
 * A client that authenticates as a node (`system:node:<name>`, group `system:nodes`), with a certificate
 * obtained the way a kubelet gets one: a CSR to the API, approved, signed by the controller manager.
 * @module
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/index.js';
import { eventually } from './eventually.js';

interface Csr {
  status?: { certificate?: string };
}

/** Requests, approves and returns a client authenticated as `system:node:<nodeName>`. */
export async function nodeClient(admin: KubeClient, nodeName: string): Promise<KubeClient> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=system:node:${nodeName}, O=system:nodes`,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const csrName = `node-${nodeName}-${String(Date.now())}`;
  await admin.request({
    method: 'POST',
    path: '/apis/certificates.k8s.io/v1/certificatesigningrequests',
    body: {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name: csrName },
      spec: {
        request: Buffer.from(csr.toString('pem')).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        usages: ['digital signature', 'client auth'],
      },
    },
  });
  // The controller manager may touch the CSR between our read and our write: re-read on conflict.
  await eventually(async () => {
    const current = await admin.request<Record<string, unknown>>({
      method: 'GET',
      path: `/apis/certificates.k8s.io/v1/certificatesigningrequests/${csrName}`,
    });
    await admin.request({
      method: 'PUT',
      path: `/apis/certificates.k8s.io/v1/certificatesigningrequests/${csrName}/approval`,
      body: {
        ...current,
        status: {
          conditions: [{ type: 'Approved', status: 'True', reason: 'Test', message: 'approved by test' }],
        },
      },
    });
  });
  const certificate = await eventually(async () => {
    const signed = await admin.request<Csr>({
      method: 'GET',
      path: `/apis/certificates.k8s.io/v1/certificatesigningrequests/${csrName}`,
    });
    if (signed.status?.certificate === undefined) throw new Error(`CSR ${csrName} not signed yet`);
    return signed.status.certificate;
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const keyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
  const adminCluster = admin.kubeConfig.getCurrentCluster();
  if (adminCluster === null) throw new Error('admin kubeconfig has no cluster');
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(adminCluster, {
    name: `system:node:${nodeName}`,
    certData: certificate,
    keyData: Buffer.from(keyPem).toString('base64'),
  });
  return new KubeClient(kc);
}
