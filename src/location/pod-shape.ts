/**
 * The fields of a Pod that location/ reads, as small structural types. Declared here instead of taking
 * `V1Pod` from `@kubernetes/client-node` so the folder stays free of that package even at the type level,
 * and so callers can pass any pod-like value. Every informer object (`V1Pod`) is assignable to
 * {@link PodShape}: `pod-references.test.ts` writes its pods as `V1Pod` and so checks that at compile time. Field names are the Kubernetes JSON names.
 * @module
 */

/** `LocalObjectReference` and the other `{ name }` selectors. */
export interface NameRef {
  readonly name?: string | undefined;
}

/** A volume source whose only object reference is `secretRef` (cephfs, cinder, flexVolume, ...). */
export interface SecretRefSource {
  readonly secretRef?: NameRef | undefined;
}

/** One entry of `spec.volumes[].projected.sources`. */
export interface ProjectionShape {
  readonly configMap?: NameRef | undefined;
  readonly secret?: NameRef | undefined;
}

/** One entry of `spec.volumes`. Only the sources that can name a ConfigMap, Secret or PVC are listed. */
export interface VolumeShape {
  readonly name?: string | undefined;
  readonly configMap?: NameRef | undefined;
  readonly secret?: { readonly secretName?: string | undefined } | undefined;
  readonly projected?: { readonly sources?: readonly ProjectionShape[] | undefined } | undefined;
  readonly csi?: { readonly nodePublishSecretRef?: NameRef | undefined } | undefined;
  readonly persistentVolumeClaim?: { readonly claimName?: string | undefined } | undefined;
  /** A generic ephemeral volume: its PVC is named `<pod>-<volume>`; only presence matters here. */
  readonly ephemeral?: object | undefined;
  readonly azureFile?: { readonly secretName?: string | undefined } | undefined;
  readonly cephfs?: SecretRefSource | undefined;
  readonly cinder?: SecretRefSource | undefined;
  readonly flexVolume?: SecretRefSource | undefined;
  readonly iscsi?: SecretRefSource | undefined;
  readonly rbd?: SecretRefSource | undefined;
  readonly scaleIO?: SecretRefSource | undefined;
  readonly storageos?: SecretRefSource | undefined;
}

/** One entry of a container's `env`. */
export interface EnvVarShape {
  readonly name?: string | undefined;
  readonly valueFrom?:
    | {
        readonly configMapKeyRef?: NameRef | undefined;
        readonly secretKeyRef?: NameRef | undefined;
      }
    | undefined;
}

/** One entry of a container's `envFrom`. */
export interface EnvFromShape {
  readonly configMapRef?: NameRef | undefined;
  readonly secretRef?: NameRef | undefined;
}

/** A container, init container or ephemeral container: the same fields matter for all three. */
export interface ContainerShape {
  readonly name?: string | undefined;
  readonly env?: readonly EnvVarShape[] | undefined;
  readonly envFrom?: readonly EnvFromShape[] | undefined;
}

/** A Pod, as far as location/ reads it. */
export interface PodShape {
  readonly metadata?:
    | {
        readonly namespace?: string | undefined;
        readonly name?: string | undefined;
        readonly uid?: string | undefined;
        readonly annotations?: Readonly<Record<string, string>> | undefined;
      }
    | undefined;
  readonly spec?:
    | {
        readonly nodeName?: string | undefined;
        readonly serviceAccountName?: string | undefined;
        /** Deprecated alias of `serviceAccountName`, still accepted by the API server. */
        readonly serviceAccount?: string | undefined;
        readonly imagePullSecrets?: readonly NameRef[] | undefined;
        readonly volumes?: readonly VolumeShape[] | undefined;
        readonly containers?: readonly ContainerShape[] | undefined;
        readonly initContainers?: readonly ContainerShape[] | undefined;
        readonly ephemeralContainers?: readonly ContainerShape[] | undefined;
      }
    | undefined;
}
