/**
 * `certificatesigningrequest` requests (spec §4.2, §4.9; the edge sends namespace `default` for this
 * cluster-scoped kind): `insert` creates a CSR (ObjectResp), `query` reads one (bare object) so the edge
 * can collect its certificate.
 *
 * Authorization: a node may request certificates only from the kubelet signers, and read only the CSRs it
 * made. The API server records the creator in `spec.username`, but only when the create is impersonated;
 * so the create is also annotated with {@link csrNodeAnnotation}, and a query is answered when either names
 * the node. Like KubeEdge, the read is not made on the node's behalf (errata W6): the Node authorizer
 * would not let a node read a CSR.
 * @module
 */
import { withTypeMeta } from '../api-call.js';
import type { JsonObject } from '../content.js';
import { isJsonObject, parseContent } from '../content.js';
import type { Decision } from '../decision.js';
import { apiError, callApi, done, reply } from '../decision.js';
import { objectRespContent } from '../replies.js';
import { certificateSigningRequestSchema } from '../schemas.js';
import type { HandlerInput } from './context.js';
import { denied, malformed, requireName, unsupported } from './context.js';
import { decideQuery } from './object-query.js';

/** The annotation naming the node that created a CSR through the upstream. */
export const csrNodeAnnotation = 'edgecontroller.kubeedge.io/node';

/** Decides a `certificatesigningrequest` request: `insert` (ObjectResp) or `query` (bare CSR). */
export function decideCertificateSigningRequest(input: HandlerInput): Decision {
  switch (input.request.operation) {
    case 'insert':
      return decideCsrInsert(input);
    case 'query':
      return decideQuery(input, {
        resource: 'certificatesigningrequests',
        servedFromCache: false,
        asNode: false,
        shape: 'object',
        after: (object) => ({ kind: 'read-csr', ...csrOwner(object) }),
      });
    case 'update':
    case 'delete':
    case 'patch':
      return unsupported(input, 'object');
  }
}

function decideCsrInsert(input: HandlerInput): Decision {
  const shape = 'object-resp';
  const name = requireName(input, shape);
  if (!name.ok) return name.decision;
  const parsed = parseContent(certificateSigningRequestSchema, input.content, 'CertificateSigningRequest');
  if (!parsed.ok) return malformed(parsed.message, shape);
  const csr = parsed.value;
  const metadata = csr.metadata ?? {};
  if ((metadata.name ?? name.value) !== name.value) {
    return malformed('invalid CertificateSigningRequest: metadata.name differs from the resource', shape);
  }
  const target = { resource: 'certificatesigningrequests', name: name.value } as const;
  const rejection = denied(input, { kind: 'create-csr', signerName: csr.spec.signerName }, target, shape);
  if (rejection !== undefined) return rejection;
  // Cluster-scoped: the edge's `default` namespace must not reach the API.
  const clusterMetadata = Object.fromEntries(Object.entries(metadata).filter(([key]) => key !== 'namespace'));
  const body = withTypeMeta('certificatesigningrequests', {
    ...csr,
    metadata: {
      ...clusterMetadata,
      name: name.value,
      annotations: { ...metadata.annotations, [csrNodeAnnotation]: input.node },
    },
  });
  const call = {
    verb: 'create',
    target: { resource: 'certificatesigningrequests' },
    body,
    asNode: true,
  } as const;
  return callApi(call, (outcome) => {
    if (!outcome.ok) return apiError(shape, outcome.failure);
    const created = isJsonObject(outcome.object) ? outcome.object : {};
    return done([reply(objectRespContent(withTypeMeta('certificatesigningrequests', created)))]);
  });
}

function csrOwner(object: JsonObject): { username: string | undefined; requestingNode: string | undefined } {
  const spec = isJsonObject(object.spec) ? object.spec : {};
  const metadata = isJsonObject(object.metadata) ? object.metadata : {};
  const annotations = isJsonObject(metadata.annotations) ? metadata.annotations : {};
  const node = annotations[csrNodeAnnotation];
  return {
    username: typeof spec.username === 'string' ? spec.username : undefined,
    requestingNode: typeof node === 'string' ? node : undefined,
  };
}
