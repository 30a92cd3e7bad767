/**
 * `certificatesigningrequest` requests (spec §4.2, §4.9; the edge sends namespace `default` for this
 * cluster-scoped kind): `insert` creates a CSR (ObjectResp), `query` reads one (bare object) so the edge
 * can collect its certificate.
 *
 * Authorization: a node may request certificates only from the kubelet signers, for itself alone (subject,
 * usages and SANs, kubelet-csr.ts: the CSR is filed with the controller's credentials and a client CSR is
 * then auto-approved, issue 12), and read only the CSRs it made. The API server records the creator in `spec.username`, but only when the create is impersonated;
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
import { parseKubeletCsr } from '../kubelet-csr.js';
import { certificateSigningRequestSchema } from '../schemas.js';
import type { HandlerInput } from './context.js';
import { denied, malformed, requireName, unsupported } from './context.js';
import { decideQuery } from './object-query.js';

/** The annotation naming the node that created a CSR through the upstream. */
export const csrNodeAnnotation = 'edgecontroller.kubeedge.io/node';

// Filled in by the API server from the caller's credentials; a node's values are dropped, not forwarded.
const requesterFields: readonly string[] = Object.freeze(['username', 'groups', 'uid', 'extra']);

/**
 * Decides a `certificatesigningrequest` request: `insert` (ObjectResp) or `query` (bare CSR, or
 * `{"Object":null,"Err"}` on failure).
 */
export function decideCertificateSigningRequest(input: HandlerInput): Decision {
  switch (input.request.operation) {
    case 'insert':
      return decideCsrInsert(input);
    case 'query':
      return decideQuery(input, {
        resource: 'certificatesigningrequests',
        servedFromCache: false,
        asNode: false,
        shape: 'stored-object',
        after: (object) => ({ kind: 'read-csr', ...csrOwner(object) }),
      });
    case 'update':
    case 'delete':
    case 'patch':
      return unsupported(input, 'stored-object');
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
  const request = parseKubeletCsr(csr.spec.request);
  if (request === undefined) {
    return malformed(
      'invalid CertificateSigningRequest: spec.request is not a PEM certificate request',
      shape,
    );
  }
  const target = { resource: 'certificatesigningrequests', name: name.value } as const;
  const access = {
    kind: 'create-csr',
    signerName: csr.spec.signerName,
    usages: csr.spec.usages,
    request,
  } as const;
  const rejection = denied(input, access, target, shape);
  if (rejection !== undefined) return rejection;
  // Only what a node may say goes to the API: the name, labels and annotations (never the namespace of
  // the edge's `default`, owners or finalizers), and the spec without the requester fields the API server
  // fills in itself. No status: an edge's "Approved" condition must never reach the API.
  const spec = Object.fromEntries(Object.entries(csr.spec).filter(([key]) => !requesterFields.includes(key)));
  const body = withTypeMeta('certificatesigningrequests', {
    metadata: {
      name: name.value,
      ...(metadata.labels == null ? {} : { labels: metadata.labels }),
      annotations: { ...metadata.annotations, [csrNodeAnnotation]: input.node },
    },
    spec,
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
