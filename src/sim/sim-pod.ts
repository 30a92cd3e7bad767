/**
 * The slice of a Pod the simulated EdgeCore reads (sim imports nothing but protocol/ of our code, so not
 * the client-node types), the guard that narrows a pushed `content` to it, and what the pod needs before
 * it can start: the ConfigMaps and Secrets it references and the ServiceAccount tokens it mounts, as the
 * kubelet asks for them (v1.32 `pkg/kubelet/kubelet_pods.go` makeEnvironmentVariables, the configmap,
 * secret and projected volume plugins, `pkg/kubelet/token/token_manager.go`). Pure.
 * @module
 */
import type { ResourceRequirementsLike } from './qos-class.js';

/** Reference to a key of a ConfigMap or Secret in env `valueFrom`. */
interface KeyRef {
  readonly name?: string;
  readonly optional?: boolean;
}

/** A container as the simulator reads it. */
export interface SimContainer {
  readonly name: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly resources?: ResourceRequirementsLike;
  readonly env?: readonly {
    readonly name: string;
    readonly valueFrom?: { readonly configMapKeyRef?: KeyRef; readonly secretKeyRef?: KeyRef };
  }[];
  readonly envFrom?: readonly { readonly configMapRef?: KeyRef; readonly secretRef?: KeyRef }[];
}

/** A projected volume source. */
export interface SimProjection {
  readonly configMap?: KeyRef;
  readonly secret?: KeyRef;
  readonly serviceAccountToken?: {
    readonly audience?: string;
    readonly expirationSeconds?: number;
    readonly path: string;
  };
}

/** A volume as the simulator reads it. */
export interface SimVolume {
  readonly name: string;
  readonly configMap?: KeyRef;
  readonly secret?: { readonly secretName?: string; readonly optional?: boolean };
  readonly projected?: { readonly sources?: readonly SimProjection[] };
}

/** A pushed Pod as the simulator reads it. */
export interface SimPod {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly deletionTimestamp?: string;
  };
  readonly spec: {
    readonly nodeName?: string;
    readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
    readonly serviceAccountName?: string;
    readonly containers: readonly SimContainer[];
    readonly initContainers?: readonly SimContainer[];
    readonly volumes?: readonly SimVolume[];
    readonly imagePullSecrets?: readonly { readonly name?: string }[];
  };
  /** The status the pod already has (a restarted edge re-adopts its running pods and their IPs). */
  readonly status?: {
    readonly phase?: string;
    readonly podIP?: string;
    readonly startTime?: string;
  };
}

/**
 * Whether `content` looks like a Pod the simulator can run: an object with `metadata.name` and a
 * `spec.containers` array of named containers. Checks only the shape the simulator reads; it trusts the
 * rest because pushes carry API-server objects.
 */
export function isSimPod(content: unknown): content is SimPod {
  if (!isObject(content) || !isObject(content.metadata) || !isObject(content.spec)) return false;
  const containers = content.spec.containers;
  return (
    typeof content.metadata.name === 'string' &&
    Array.isArray(containers) &&
    containers.every((c) => isObject(c) && typeof c.name === 'string')
  );
}

/** A ServiceAccount token a pod mounts through a projected volume (`kube-api-access-*`). */
export interface TokenMount {
  readonly serviceAccountName: string;
  readonly audiences: readonly string[];
  readonly expirationSeconds: number;
}

/** What a pod needs from the cloud before it can start. Names are sorted and unique. */
export interface PodRefs {
  readonly configMaps: readonly string[];
  readonly secrets: readonly string[];
  readonly tokens: readonly TokenMount[];
}

// Kubernetes' default and minimum projected token lifetime (`kube-api-access-*` uses 3607 s).
const defaultTokenExpirationSeconds = 3607;

/**
 * The ConfigMaps, Secrets and ServiceAccount tokens `pod` references: volumes (configMap, secret,
 * projected configMap/secret/serviceAccountToken), env `valueFrom`, `envFrom` of containers and init
 * containers, and `imagePullSecrets`. Optional references are included: the kubelet still asks for them
 * and tolerates NotFound.
 */
export function podRefs(pod: SimPod): PodRefs {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const tokens: TokenMount[] = [];
  const add = (set: Set<string>, name: string | undefined): void => {
    if (name !== undefined && name !== '') set.add(name);
  };
  for (const volume of pod.spec.volumes ?? []) {
    add(configMaps, volume.configMap?.name);
    add(secrets, volume.secret?.secretName);
    for (const source of volume.projected?.sources ?? []) {
      add(configMaps, source.configMap?.name);
      add(secrets, source.secret?.name);
      const token = source.serviceAccountToken;
      if (token !== undefined) {
        tokens.push({
          serviceAccountName: pod.spec.serviceAccountName ?? 'default',
          audiences: token.audience !== undefined && token.audience !== '' ? [token.audience] : [],
          expirationSeconds: token.expirationSeconds ?? defaultTokenExpirationSeconds,
        });
      }
    }
  }
  for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const env of container.env ?? []) {
      add(configMaps, env.valueFrom?.configMapKeyRef?.name);
      add(secrets, env.valueFrom?.secretKeyRef?.name);
    }
    for (const from of container.envFrom ?? []) {
      add(configMaps, from.configMapRef?.name);
      add(secrets, from.secretRef?.name);
    }
  }
  for (const pull of pod.spec.imagePullSecrets ?? []) add(secrets, pull.name);
  return { configMaps: [...configMaps].sort(), secrets: [...secrets].sort(), tokens };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
