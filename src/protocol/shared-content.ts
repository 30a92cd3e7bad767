/**
 * One prepared content object per ConfigMap or Secret version, whichever path pushes it (issue 15 item 1).
 * The hub serializes each content object once (frame-encoder.ts), so the serialization is shared only by
 * pushes that share the content object. An update event's push is one object for every receiving node,
 * but a ConfigMap also goes out once per node from other paths: a pod added on each of 200 nodes (a
 * rollout), a repair, a resync after a storm. Each of those prepared its own copy, and a 1 MiB ConfigMap
 * was serialized once per node again (the fan-out test counted 64 to 104 of them on a loaded machine,
 * kube-root-ca.crt delivered late with each node's first pod).
 *
 * Here the prepared content is remembered per informer object (the store's object is the version: a new
 * version is a new object) as a `WeakRef`: it is shared exactly as long as something (a queue, a held
 * push, the encoder's cache entry keyed by it) still holds it, and costs no memory after that. Pods and
 * Nodes go to one node each, so they are not remembered (100,000 pods would pay an entry each for
 * nothing).
 *
 * Content is read-only by contract (`PushSpec.content`), which is what makes sharing one object safe.
 * @module
 */
type Content = Readonly<Record<string, unknown>>;

/** The part of object-push.ts's `PushContentOptions` the content depends on (no import: object-push uses this). */
interface ContentOptions {
  readonly stripManagedFields: boolean;
}

interface Remembered {
  readonly stripManagedFields: boolean;
  readonly content: WeakRef<Content>;
}

/** The kinds one version of which is pushed to many nodes. */
const sharedKinds: ReadonlySet<string> = new Set(['ConfigMap', 'Secret']);

const rememberedByObject = new WeakMap<object, Remembered>();

/**
 * The content `prepare()` returns for `object`, or the one it returned before for the same object and
 * options while that one is still alive. Only ConfigMaps and Secrets are shared; other kinds are
 * prepared afresh every time.
 */
export function sharedContent(
  kind: string,
  object: object,
  options: ContentOptions,
  prepare: () => Content,
): Content {
  if (!sharedKinds.has(kind)) return prepare();
  const remembered = rememberedByObject.get(object);
  const alive =
    remembered?.stripManagedFields === options.stripManagedFields ? remembered.content.deref() : undefined;
  if (alive !== undefined) return alive;
  const content = prepare();
  rememberedByObject.set(object, {
    stripManagedFields: options.stripManagedFields,
    content: new WeakRef(content),
  });
  return content;
}
