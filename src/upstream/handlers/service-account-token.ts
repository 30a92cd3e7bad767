/**
 * `serviceaccounttoken` query (spec §4.2, §4.9): the edge asks for a projected ServiceAccount token with a
 * TokenRequest as content; the cloud calls `serviceaccounts/<name>/token` and answers with the returned
 * TokenRequest, its `spec` replaced by the request's (errata O8: the edge files the token under a key of
 * the reply's spec and looks it up by its request's). KubeEdge authorizes this query as verb `create`
 * (errata W2). A node may request tokens only for a ServiceAccount its pods run as, bound to one of those
 * pods (NodeRestriction). The reply carries a credential: nothing here or in the worker may log content.
 *
 * Source: `kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/controller/upstream.go`
 * getServiceAccountToken, queryInner.
 * @module
 */
import { parseContent } from '../content.js';
import type { Decision } from '../decision.js';
import { apiError, callApi, done, reply } from '../decision.js';
import { tokenRequestContent } from '../replies.js';
import { tokenRequestSchema } from '../schemas.js';
import type { HandlerInput } from './context.js';
import { denied, malformed, requireName, requireNamespace, unsupported } from './context.js';

/** Decides a `serviceaccounttoken` request: `query` only; the bare TokenRequest or
 * `{"Object":null,"Err"}`, which the edge does not store (decision.ts `stored-object`).
 */
export function decideServiceAccountToken(input: HandlerInput): Decision {
  const shape = 'stored-object';
  if (input.request.operation !== 'query') return unsupported(input, shape);
  const namespace = requireNamespace(input, shape);
  if (!namespace.ok) return namespace.decision;
  const name = requireName(input, shape);
  if (!name.ok) return name.decision;
  const parsed = parseContent(tokenRequestSchema, input.content, 'TokenRequest');
  if (!parsed.ok) return malformed(parsed.message, shape);
  const { spec } = parsed.value;
  const bound = spec.boundObjectRef ?? undefined;
  const access = {
    kind: 'create-token',
    namespace: namespace.value,
    serviceAccount: name.value,
    boundObject: bound === undefined ? undefined : { kind: bound.kind, name: bound.name },
  } as const;
  const target = { resource: 'serviceaccounts', namespace: namespace.value, name: name.value } as const;
  const rejection = denied(input, access, target, shape);
  if (rejection !== undefined) return rejection;
  const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec };
  return callApi({ verb: 'create-token', target, body, asNode: true }, (outcome) =>
    outcome.ok ? done([reply(tokenRequestContent(outcome.object, spec))]) : apiError(shape, outcome.failure),
  );
}
