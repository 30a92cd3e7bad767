/**
 * Builders for the upstream's unit tests: two nodes, a graph built from a table, requests parsed the way
 * the hub parses them, and a walk that answers calls from a list. Not exported from index.ts.
 * @module
 */
import assert from 'node:assert/strict';
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Message, MessageId, NodeName } from '../protocol/index.js';
import { classifyUpstream } from '../protocol/index.js';
import type { ApiCall } from './api-call.js';
import type { ApiOutcome } from './api-outcome.js';
import type { GraphObjectKind, NodeGraph } from './authorize.js';
import type { Decision } from './decision.js';
import type { Walk } from './decision-walk.js';
import { walkDecision } from './decision-walk.js';
import type { HandlerInput, UpstreamRequest } from './handlers/context.js';
import type { AuthorizationMode } from './options.js';
import { resolveUpstreamOptions } from './options.js';

/** The requesting node of most tests. */
export const nodeA = 'edge-a' as NodeName;
/** Another node, whose objects node A must not touch. */
export const nodeB = 'edge-b' as NodeName;
/** 2024-11-23T22:13:21.500Z. */
export const now = Date.UTC(2024, 10, 23, 22, 13, 21, 500);
/** {@link now} as the API server writes it. */
export const nowText = '2024-11-23T22:13:21Z';

/** Who needs what: `[node, kind, namespace, name]` rows, pods `[node, namespace, name]`, PV claims. */
export interface GraphTable {
  readonly needs?: readonly (readonly [NodeName, GraphObjectKind, string, string])[];
  readonly pods?: readonly (readonly [NodeName, string, string])[];
  readonly claims?: Readonly<Record<string, { namespace: string; name: string }>>;
  /** Pods deleted from a node a moment ago: `[node, namespace, name]`. */
  readonly deleted?: readonly (readonly [NodeName, string, string])[];
  /** Each node's `status.addresses`. */
  readonly addresses?: Readonly<Record<string, readonly { type: string; address: string }[]>>;
}

/** A {@link NodeGraph} answering from a table. */
export function graphOf(table: GraphTable): NodeGraph {
  return {
    nodeNeeds: (node, object) =>
      (table.needs ?? []).some(
        ([n, kind, namespace, name]) =>
          n === node && kind === object.kind && namespace === object.namespace && name === object.name,
      ),
    podOn: (node, namespace, name) =>
      (table.pods ?? []).some(([n, ns, podName]) => n === node && ns === namespace && podName === name),
    claimOfVolume: (volume) => table.claims?.[volume],
    podRecentlyDeletedFrom: (node, namespace, name) =>
      (table.deleted ?? []).some(([n, ns, podName]) => n === node && ns === namespace && podName === name),
    nodeAddresses: (node) => table.addresses?.[node] ?? [],
    isNode: (name) => name === nodeA || name === nodeB,
  };
}

/** The graph of most tests: on node A, pod `default/a-pod` uses ConfigMap `a-cm`, Secret `a-secret`, PVC `a-pvc`, SA `a-sa`; likewise for B. */
export const twoNodeGraph: NodeGraph = graphOf({
  needs: [
    [nodeA, 'ConfigMap', 'default', 'a-cm'],
    [nodeA, 'Secret', 'default', 'a-secret'],
    [nodeA, 'PersistentVolumeClaim', 'default', 'a-pvc'],
    [nodeA, 'ServiceAccount', 'default', 'a-sa'],
    [nodeB, 'ConfigMap', 'default', 'b-cm'],
    [nodeB, 'Secret', 'default', 'b-secret'],
    [nodeB, 'PersistentVolumeClaim', 'default', 'b-pvc'],
    [nodeB, 'ServiceAccount', 'default', 'b-sa'],
  ],
  pods: [
    [nodeA, 'default', 'a-pod'],
    [nodeB, 'default', 'b-pod'],
  ],
  claims: {
    'a-pv': { namespace: 'default', name: 'a-pvc' },
    'b-pv': { namespace: 'default', name: 'b-pvc' },
  },
  deleted: [
    [nodeA, 'default', 'a-gone'],
    [nodeB, 'default', 'b-gone'],
  ],
  addresses: {
    [nodeA]: [
      { type: 'InternalIP', address: '10.0.0.1' },
      { type: 'Hostname', address: 'edge-a.lab' },
    ],
    [nodeB]: [{ type: 'InternalIP', address: '10.0.0.2' }],
  },
});

/** A request message as the edge sends it (source `edged`, group `meta`). */
export function messageOf(resource: string, operation: string, content: unknown): Message {
  return {
    header: { msg_id: 'req-1' as MessageId, timestamp: now },
    route: { source: 'edged', group: 'meta', operation, resource },
    content,
  };
}

/** The request the hub hands the upstream for `resource`/`operation`. Throws if it is not a request. */
export function requestOf(resource: string, operation: string): UpstreamRequest {
  const kind = classifyUpstream(messageOf(resource, operation, null));
  if (kind.kind !== 'request') throw new Error(`${operation} ${resource} is not a request: ${kind.kind}`);
  return kind;
}

/** A handler input from node A (or `node`), with the two-node graph and default options. */
export function inputOf(
  resource: string,
  operation: string,
  content: unknown,
  overrides: { node?: NodeName; graph?: NodeGraph; authorization?: AuthorizationMode } = {},
): HandlerInput {
  return {
    node: overrides.node ?? nodeA,
    request: requestOf(resource, operation),
    content,
    now,
    graph: overrides.graph ?? twoNodeGraph,
    options: resolveUpstreamOptions({
      cloudcoreAddress: '10.0.0.1',
      ...(overrides.authorization === undefined ? {} : { authorization: overrides.authorization }),
    }),
  };
}

/** Walks `decision`, answering the calls in order from `outcomes` (a call past the end fails the test). */
export function walk(decision: Decision, outcomes: readonly ApiOutcome[] = []): Walk {
  return walkDecision(decision, {
    respond: (call: ApiCall, index: number) => {
      const outcome = outcomes[index];
      if (outcome === undefined)
        throw new Error(`unexpected call ${String(index)}: ${call.verb} ${call.target.resource}`);
      return outcome;
    },
    now: () => now,
  });
}

/** The single terminal of a walk (throws if there is not exactly one). */
export function terminalOf(result: Walk): Walk['terminals'][number] {
  const [terminal, ...rest] = result.terminals;
  if (terminal === undefined || rest.length > 0)
    throw new Error(`expected one terminal, got ${String(result.terminals.length)}`);
  return terminal;
}

/** The contents of the reply emissions of a walk, in order. */
export function replyContents(result: Walk): unknown[] {
  return result.emissions.filter((e) => e.kind === 'reply').map((e) => e.content);
}

/**
 * Asserts `actual` has exactly as many items as `expected`, each a partial deep match of its counterpart
 * (`assert.partialDeepStrictEqual` alone accepts an array with extra items).
 */
export function assertEach(actual: readonly unknown[], expected: readonly unknown[]): void {
  assert.equal(
    actual.length,
    expected.length,
    `expected ${String(expected.length)} items, got ${String(actual.length)}`,
  );
  for (const [index, item] of expected.entries()) assert.partialDeepStrictEqual(actual[index], item);
}

/**
 * A CSR's `spec.request` as the API carries it (base64 of PEM), for `subject` (e.g.
 * `CN=system:node:edge-a, O=system:nodes`) with `sans`, signed by a fresh P-256 key.
 */
export async function csrRequestOf(subject: string, sans: x509.JsonGeneralNames = []): Promise<string> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: sans.length === 0 ? [] : [new x509.SubjectAlternativeNameExtension(sans)],
  });
  return Buffer.from(csr.toString('pem')).toString('base64');
}
