/**
 * What every handler receives, and the small steps they share: reading the resource's name and
 * namespace, authorizing, and answering an unsupported operation or unusable content.
 * @module
 */
import type { NodeName, ResourcePath, UpstreamKind } from '../../protocol/index.js';
import type { KubeResource } from '../api-call.js';
import { badRequestFailure, methodNotAllowedFailure } from '../api-outcome.js';
import type { Access, NodeGraph } from '../authorize.js';
import { authorize, rejectionFailure } from '../authorize.js';
import type { Decision, ReplyShape } from '../decision.js';
import { forbid, invalid } from '../decision.js';
import type { ResolvedUpstreamOptions } from '../options.js';

/** A request for edgecontroller, as protocol's `classifyUpstream` returns it. */
export type UpstreamRequest = Extract<UpstreamKind, { kind: 'request' }>;

/** The input of one handler call. */
export interface HandlerInput {
  /** The node of the session the request came on (its verified `node_id`), never one from the message. */
  readonly node: NodeName;
  readonly request: UpstreamRequest;
  /** The message's `content`, unvalidated. */
  readonly content: unknown;
  /** Current time, ms since the epoch. */
  readonly now: number;
  readonly graph: NodeGraph;
  readonly options: ResolvedUpstreamOptions;
}

/** A handler: one request in, one decision out. Pure and total: it never throws on input. */
export type Handler = (input: HandlerInput) => Decision;

/** Either a value or the decision that ends the request. */
export type Step<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly decision: Decision };

/** The resource's name, or an `invalid` decision (400) when the resource has none. */
export function requireName(input: HandlerInput, shape: ReplyShape): Step<string> {
  const { name } = input.request;
  if (name !== undefined) return { ok: true, value: name };
  return fail(
    invalid('bad-resource', badRequestFailure(`${input.request.resourceType} needs a name`), shape),
  );
}

/** The resource's namespace, or an `invalid` decision (400) when it is the cluster token `null`. */
export function requireNamespace(input: HandlerInput, shape: ReplyShape): Step<string> {
  const { namespace } = input.request;
  if (namespace !== null) return { ok: true, value: namespace };
  return fail(
    invalid('bad-resource', badRequestFailure(`${input.request.resourceType} needs a namespace`), shape),
  );
}

/**
 * Authorizes `access`; `undefined` when allowed, else a `forbid` decision answering a 403 for
 * `resource`/`name` in `shape` (on `replyResource` when given).
 */
export function denied(
  input: HandlerInput,
  access: Access,
  target: { readonly resource: KubeResource; readonly name: string },
  shape: ReplyShape,
  replyResource?: ResourcePath,
): Decision | undefined {
  const result = authorize(input.node, access, input.graph, input.options.authorization);
  if (result.allowed) return undefined;
  return forbid(result.reason, rejectionFailure(target.resource, target.name, result), shape, replyResource);
}

/** The answer to an operation the type does not serve (405, in `shape`). */
export function unsupported(input: HandlerInput, shape: ReplyShape): Decision {
  const { operation, resourceType } = input.request;
  return invalid('unsupported-operation', methodNotAllowedFailure(operation, resourceType), shape);
}

/** The answer to content that cannot be used (400 with `message`, in `shape`). */
export function malformed(message: string, shape: ReplyShape, replyResource?: ResourcePath): Decision {
  return invalid('malformed-content', badRequestFailure(message), shape, replyResource);
}

/** Wraps a decision as a failed {@link Step}. */
export function fail<T>(decision: Decision): Step<T> {
  return { ok: false, decision };
}

/** A pod request's namespace and name, once authorized for the node (the pod is bound to it). */
export interface PodTarget {
  readonly namespace: string;
  readonly name: string;
  readonly target: { readonly resource: 'pods'; readonly namespace: string; readonly name: string };
}

/** Reads a pod request's namespace and name (no authorization); or the decision that ends the request. */
export function podTargetOf(input: HandlerInput, shape: ReplyShape): Step<PodTarget> {
  const namespace = requireNamespace(input, shape);
  if (!namespace.ok) return namespace;
  const name = requireName(input, shape);
  if (!name.ok) return name;
  const target = { resource: 'pods', namespace: namespace.value, name: name.value } as const;
  return { ok: true, value: { namespace: namespace.value, name: name.value, target } };
}

/** Reads namespace and name and authorizes the pod for the node; or the decision that ends the request. */
export function authorizedPod(input: HandlerInput, shape: ReplyShape): Step<PodTarget> {
  const pod = podTargetOf(input, shape);
  if (!pod.ok) return pod;
  const rejection = deniedPod(input, pod.value, shape);
  return rejection === undefined ? pod : fail(rejection);
}

/**
 * The `forbid` decision when the location cache does not bind the pod to the node (403 in `shape`), or
 * `undefined` when it does (or authorization is off).
 */
export function deniedPod(input: HandlerInput, pod: PodTarget, shape: ReplyShape): Decision | undefined {
  return denied(input, { kind: 'pod', namespace: pod.namespace, name: pod.name }, pod.target, shape);
}
