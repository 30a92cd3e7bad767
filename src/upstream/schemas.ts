/**
 * zod schemas for the request contents an edge sends upstream: the boundary where `unknown` becomes typed
 * (STYLE.md rule 20). Each schema checks only the fields a handler reads or that Go's `json.Unmarshal`
 * into the typed struct would reject; every object is a `looseObject`, so unknown fields pass through
 * unchanged to the API server, as KubeEdge forwards the decoded object.
 *
 * Sources: kubeedge-wire.md §4.2, §4.4, §4.9; `kubeedge/kubeedge` v1.23.1 `common/types/types.go`
 * (`PodStatusRequest`, `NodeStatusRequest`, `ExtendResource`, `EventPatchInfo`); `k8s.io/api` JSON tags.
 * @module
 */
import { z } from 'zod';
import { isRfc3339 } from './rfc3339.js';

/** A `metav1.Time`: RFC 3339 text or null (Go's zero time). */
export const timeSchema = z
  .string()
  .refine(isRfc3339, { message: 'expected an RFC 3339 timestamp' })
  .nullish();

const stringMap = z.record(z.string(), z.string()).nullish();

/** `ownerReferences[]` entries, as far as authorization reads them. */
export const ownerReferenceSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().optional(),
  uid: z.string().optional(),
});

/** `metadata` (ObjectMeta). */
export const objectMetaSchema = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  labels: stringMap,
  annotations: stringMap,
  deletionTimestamp: timeSchema,
  ownerReferences: z.array(ownerReferenceSchema).nullish(),
});

/** A generic object with metadata: what every handler can read from any Kubernetes object. */
export const kubeObjectSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMetaSchema.optional(),
});

/** A Kubernetes object as decoded from JSON; unknown fields are kept. */
export type KubeObject = z.output<typeof kubeObjectSchema>;

const containerStateSchema = z.looseObject({
  running: z.looseObject({ startedAt: timeSchema }).nullish(),
  terminated: z.looseObject({ startedAt: timeSchema, finishedAt: timeSchema }).nullish(),
  waiting: z.looseObject({}).nullish(),
});

/** `ContainerStatus`; `lastState` is Go's `LastTerminationState`. */
export const containerStatusSchema = z.looseObject({
  name: z.string(),
  state: containerStateSchema.optional(),
  lastState: containerStateSchema.optional(),
});

/** `PodCondition`. */
export const podConditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  lastProbeTime: timeSchema,
  lastTransitionTime: timeSchema,
});

/** `PodStatus`, with every timestamp the legacy merge normalizes. */
export const podStatusSchema = z.looseObject({
  phase: z.string().optional(),
  startTime: timeSchema,
  conditions: z.array(podConditionSchema).nullish(),
  containerStatuses: z.array(containerStatusSchema).nullish(),
  initContainerStatuses: z.array(containerStatusSchema).nullish(),
});

/** A pod status as decoded; unknown fields are kept. */
export type PodStatus = z.output<typeof podStatusSchema>;

/** `Pod`. */
export const podSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMetaSchema.optional(),
  spec: z
    .looseObject({
      nodeName: z.string().optional(),
      initContainers: z.array(z.looseObject({ name: z.string() })).nullish(),
    })
    .optional(),
  status: podStatusSchema.optional(),
});

/** A pod as decoded; unknown fields are kept. */
export type Pod = z.output<typeof podSchema>;

/** KubeEdge's `PodStatusRequest{UID,Name,Status}` (untagged Go struct: keys are matched case-insensitively first). */
export const podStatusRequestSchema = z.looseObject({
  UID: z.string().optional(),
  Name: z.string().min(1),
  Status: podStatusSchema.optional(),
});

/** A decoded `PodStatusRequest`. */
export type PodStatusRequest = z.output<typeof podStatusRequestSchema>;

/** The Go field names of `PodStatusRequest`, for `foldKeys`. */
export const podStatusRequestKeys = ['UID', 'Name', 'Status'] as const;

const nodeConditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  lastHeartbeatTime: timeSchema,
  lastTransitionTime: timeSchema,
});

/** `NodeStatus`; `daemonEndpoints.kubeletEndpoint.Port` is capitalized in the real JSON tag. */
export const nodeStatusSchema = z.looseObject({
  conditions: z.array(nodeConditionSchema).nullish(),
  daemonEndpoints: z
    .looseObject({ kubeletEndpoint: z.looseObject({ Port: z.number().int().optional() }).optional() })
    .optional(),
  volumesAttached: z.array(z.looseObject({})).nullish(),
});

/** A node status as decoded; unknown fields are kept. */
export type NodeStatus = z.output<typeof nodeStatusSchema>;

/** `Node`. */
export const nodeSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMetaSchema.optional(),
  spec: z.looseObject({}).optional(),
  status: nodeStatusSchema.optional(),
});

/** A node as decoded; unknown fields are kept. */
export type Node = z.output<typeof nodeSchema>;

/** KubeEdge's `ExtendResource` (`name`, `type`, `capacity` as a Quantity string or number). */
export const extendResourceSchema = z.looseObject({
  name: z.string().optional(),
  type: z.string().optional(),
  capacity: z.union([z.string(), z.number()]).optional(),
});

/** KubeEdge's `NodeStatusRequest{UID,Status,ExtendResources}` (untagged Go struct). */
export const nodeStatusRequestSchema = z.looseObject({
  UID: z.string().optional(),
  Status: nodeStatusSchema.optional(),
  ExtendResources: z.record(z.string(), z.array(extendResourceSchema).nullable()).nullish(),
});

/** A decoded `NodeStatusRequest`. */
export type NodeStatusRequest = z.output<typeof nodeStatusRequestSchema>;

/** The Go field names of `NodeStatusRequest`, for `foldKeys`. */
export const nodeStatusRequestKeys = ['UID', 'Status', 'ExtendResources'] as const;

/** `coordination.k8s.io/v1 Lease`. */
export const leaseSchema = kubeObjectSchema.extend({ spec: z.looseObject({}).optional() });

/** `authentication.k8s.io/v1 TokenRequest`; `spec` is echoed in the reply (errata O8). */
export const tokenRequestSchema = kubeObjectSchema.extend({
  spec: z.looseObject({
    audiences: z.array(z.string()).nullish(),
    expirationSeconds: z.number().int().nullish(),
    boundObjectRef: z
      .looseObject({
        kind: z.string().optional(),
        apiVersion: z.string().optional(),
        name: z.string().optional(),
        uid: z.string().optional(),
      })
      .nullish(),
  }),
});

/** A decoded TokenRequest. */
export type TokenRequest = z.output<typeof tokenRequestSchema>;

/** `certificates.k8s.io/v1 CertificateSigningRequest`. */
export const certificateSigningRequestSchema = kubeObjectSchema.extend({
  spec: z.looseObject({
    signerName: z.string(),
    request: z.string(),
    usages: z.array(z.string()).optional(),
    username: z.string().optional(),
  }),
});

/** `v1 Event`, as far as authorization reads it. */
export const eventSchema = kubeObjectSchema.extend({
  involvedObject: z.looseObject({
    kind: z.string().optional(),
    namespace: z.string().optional(),
    name: z.string().optional(),
    uid: z.string().optional(),
  }),
});

/** A decoded Event. */
export type Event = z.output<typeof eventSchema>;

/** KubeEdge's `EventPatchInfo{event, patchData}`: the event and the strategic-merge patch as a string. */
export const eventPatchSchema = z.looseObject({ event: eventSchema, patchData: z.string() });

/** The Go field names of `EventPatchInfo`, for `foldKeys`. */
export const eventPatchKeys = ['event', 'patchData'] as const;

/** `metav1.DeleteOptions`. */
export const deleteOptionsSchema = z.looseObject({
  gracePeriodSeconds: z.number().int().min(0).nullish(),
  preconditions: z
    .looseObject({ uid: z.string().nullish(), resourceVersion: z.string().nullish() })
    .nullish(),
  propagationPolicy: z.string().nullish(),
  orphanDependents: z.boolean().nullish(),
  dryRun: z.array(z.string()).nullish(),
});
