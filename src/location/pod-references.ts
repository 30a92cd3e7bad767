/**
 * Which objects a pod references: the edges of the "who needs what" graph, read from one pod. The
 * location cache (location-cache.ts) feeds on this, so the downstream sends a ConfigMap or Secret only to
 * nodes whose pods use it, and upstream node authorization lets a node read only what its pods use.
 *
 * Sources, matching the Kubernetes Node authorizer (`kubernetes/kubernetes` v1.35
 * `plugin/pkg/auth/authorizer/node/graph.go` `AddPod`, `pkg/api/v1/pod/util.go` `VisitPodSecretNames`
 * and `VisitPodConfigmapNames`):
 * - ConfigMap: `volumes[].configMap`, `volumes[].projected.sources[].configMap`, and in every container,
 *   init container and ephemeral container `env[].valueFrom.configMapKeyRef`, `envFrom[].configMapRef`;
 * - Secret: `imagePullSecrets[]`, `volumes[].secret`, `volumes[].projected.sources[].secret`,
 *   `volumes[].csi.nodePublishSecretRef`, the `secretRef`/`secretName` of the in-tree volume plugins
 *   (azureFile, cephfs, cinder, flexVolume, iscsi, rbd, scaleIO, storageos), and in every container kind
 *   `env[].valueFrom.secretKeyRef`, `envFrom[].secretRef`;
 * - PersistentVolumeClaim: `volumes[].persistentVolumeClaim.claimName`, and `<pod>-<volume>` for a generic
 *   ephemeral volume (`k8s.io/component-helpers/storage/ephemeral` `VolumeClaimName`);
 * - ServiceAccount: `spec.serviceAccountName`, else the deprecated `spec.serviceAccount`, else `default`.
 *
 * KubeEdge (`kubeedge/kubeedge` v1.23.1 `cloud/pkg/edgecontroller/manager/location.go`, spec §3.3) reads
 * only regular containers and misses init and ephemeral containers, CSI `nodePublishSecretRef` and the
 * in-tree plugins' secrets, so such pods fail to start on the edge or fetch on demand.
 *
 * Not here, as in the Node authorizer's `AddPod`: transitive references (pod → PVC → PV → secret; they
 * need the PVC and PV objects) and DRA ResourceClaims, PodCertificateRequests and ClusterTrustBundles,
 * which KubeEdge does not serve to edges.
 * @module
 */
import type { RefKey, ObjectKind, ObjectRef } from './object-ref.js';
import { compareStrings, isKeySegment, refKey } from './object-ref.js';
import type { ContainerShape, PodShape, VolumeShape } from './pod-shape.js';

/** The annotation that marks a mirror pod (the API object of a kubelet static pod). */
export const mirrorPodAnnotation = 'kubernetes.io/config.mirror';

/** The ServiceAccount a pod runs as when its spec names none (ServiceAccount admission's default). */
export const defaultServiceAccountName = 'default';

/**
 * The name of the PVC behind a generic ephemeral volume: `<pod>-<volume>`, as the ephemeral volume
 * controller creates it (`k8s.io/component-helpers/storage/ephemeral` `VolumeClaimName`).
 */
export function ephemeralClaimName(podName: string, volumeName: string): string {
  return `${podName}-${volumeName}`;
}

/** Whether the pod is a mirror pod (carries {@link mirrorPodAnnotation}, whatever its value). */
export function isMirrorPod(pod: Readonly<PodShape>): boolean {
  const annotations = pod.metadata?.annotations;
  return annotations !== undefined && Object.hasOwn(annotations, mirrorPodAnnotation);
}

/**
 * The objects `pod` references, each once, sorted by {@link refKey}; all in the pod's namespace.
 *
 * - Empty names and names that cannot be object names (containing `/`) are skipped: they resolve to no
 *   object (the Node authorizer's `skipEmptyNames`).
 * - `optional: true` references count: the kubelet still reads the object if it exists.
 * - A mirror pod references nothing. A node can create mirror pods, so, as in the Node authorizer, one
 *   must never grant it an object; the API server forbids them references anyway (NodeRestriction).
 * - A pod without a namespace references nothing (informer pods always have one).
 *
 * Pure: the result depends only on `pod`, and is a new array.
 */
export function podReferences(pod: Readonly<PodShape>): readonly ObjectRef[] {
  const namespace = pod.metadata?.namespace ?? '';
  if (!isKeySegment(namespace) || isMirrorPod(pod)) return [];
  const found = new Map<RefKey, ObjectRef>();
  const add = (kind: ObjectKind, name: string | undefined): void => {
    if (name === undefined || !isKeySegment(name)) return;
    const ref: ObjectRef = { kind, namespace, name };
    found.set(refKey(ref), ref);
  };

  const spec = pod.spec;
  add(
    'ServiceAccount',
    nonEmpty(spec?.serviceAccountName) ?? nonEmpty(spec?.serviceAccount) ?? defaultServiceAccountName,
  );
  for (const pullSecret of spec?.imagePullSecrets ?? []) add('Secret', pullSecret.name);
  for (const volume of spec?.volumes ?? []) visitVolume(volume, pod.metadata?.name, add);
  for (const containers of [spec?.initContainers, spec?.containers, spec?.ephemeralContainers]) {
    for (const container of containers ?? []) visitContainer(container, add);
  }

  return [...found.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, ref]) => ref);
}

type Add = (kind: ObjectKind, name: string | undefined) => void;

// Every source field is visited even though the API server allows one per volume: a union costs nothing
// and stays right if a client sends a malformed object that slipped through.
function visitVolume(volume: VolumeShape, podName: string | undefined, add: Add): void {
  add('ConfigMap', volume.configMap?.name);
  add('Secret', volume.secret?.secretName);
  for (const source of volume.projected?.sources ?? []) {
    add('ConfigMap', source.configMap?.name);
    add('Secret', source.secret?.name);
  }
  add('Secret', volume.csi?.nodePublishSecretRef?.name);
  add('Secret', volume.azureFile?.secretName);
  for (const plugin of [
    volume.cephfs,
    volume.cinder,
    volume.flexVolume,
    volume.iscsi,
    volume.rbd,
    volume.scaleIO,
    volume.storageos,
  ]) {
    add('Secret', plugin?.secretRef?.name);
  }
  add('PersistentVolumeClaim', volume.persistentVolumeClaim?.claimName);
  if (volume.ephemeral !== undefined && podName !== undefined && volume.name !== undefined) {
    if (isKeySegment(podName) && isKeySegment(volume.name)) {
      add('PersistentVolumeClaim', ephemeralClaimName(podName, volume.name));
    }
  }
}

function visitContainer(container: ContainerShape, add: Add): void {
  for (const envFrom of container.envFrom ?? []) {
    add('ConfigMap', envFrom.configMapRef?.name);
    add('Secret', envFrom.secretRef?.name);
  }
  for (const env of container.env ?? []) {
    add('ConfigMap', env.valueFrom?.configMapKeyRef?.name);
    add('Secret', env.valueFrom?.secretKeyRef?.name);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
