/**
 * Pod keys: `ns/name`, the informer store key of a pod (protocol's `objectKey`), checked to be namespaced
 * and well formed. The only module that makes or parses the pod-only brand (STYLE.md rule 18). The location cache keys its pods by this and keeps
 * the UID beside it, so a re-created pod with the same name replaces the old one.
 * @module
 */
import { objectKey } from '../protocol/index.js';
import type { Brand } from '../protocol/index.js';
import { isKeySegment } from './object-ref.js';
import type { PodShape } from './pod-shape.js';

/** `ns/name` of a pod, built by {@link podKey} and parsed by {@link parsePodKey} only. */
export type PodKey = Brand<string, 'PodKey'>;

/**
 * Builds `ns/name`. Throws a `RangeError` if either part is empty or contains `/`: pods from the API
 * server always have a valid namespace and name, so that is a broken invariant.
 */
export function podKey(namespace: string, name: string): PodKey {
  if (!isKeySegment(namespace) || !isKeySegment(name)) {
    throw new RangeError(
      `pod ${JSON.stringify(`${namespace}/${name}`)} has an empty namespace or name, or a "/"`,
    );
  }
  return objectKey(namespace, name) as string as PodKey;
}

/** The key of a pod object. Throws like {@link podKey} when `metadata.namespace` or `.name` is missing. */
export function podKeyOf(pod: Readonly<PodShape>): PodKey {
  return podKey(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '');
}

/** Parses `ns/name`: exactly two non-empty segments. Returns `undefined` otherwise. */
export function parsePodKey(value: string): PodKey | undefined {
  const segments = value.split('/');
  return segments.length === 2 && segments.every(isKeySegment) ? (value as PodKey) : undefined;
}
