/**
 * Seeded churn against the real API server: creates, updates and deletes of pods bound to the fleet's
 * nodes, and of the ConfigMaps and Secrets they reference (volumes, projected sources, env, envFrom,
 * imagePullSecrets), the load the fault scenarios run while something breaks. A failed call (the API
 * server is down, a name is gone) is counted and skipped: the check at the end reads what the API server
 * holds, not what the churn meant to do.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeClient } from '../../src/kube/index.js';

/** What the churn did. */
export interface ChurnCounts {
  creates: number;
  updates: number;
  deletes: number;
  failed: number;
}

/** Options of {@link Churn}. */
export interface ChurnOptions {
  readonly admin: KubeClient;
  readonly namespace: string;
  /** Nodes the pods are bound to (spec.nodeName: no scheduler involved). */
  readonly nodes: readonly string[];
  /** Seeded random source in [0, 1). */
  readonly random: () => number;
  /** Above this many pods a pod create becomes a pod delete (a long soak stays the same size). */
  readonly maxPods?: number;
}

type Op = () => Promise<'create' | 'update' | 'delete'>;

/** A seeded source of API writes; see the module header. */
export class Churn {
  readonly counts: ChurnCounts = { creates: 0, updates: 0, deletes: 0, failed: 0 };
  readonly #o: ChurnOptions;
  readonly #pods = new Set<string>();
  readonly #configMaps = new Set<string>();
  readonly #secrets = new Set<string>();
  #next = 0;

  constructor(options: ChurnOptions) {
    this.#o = options;
  }

  /** Creates `configMaps` ConfigMaps, `secrets` Secrets, then `pods` pods spread over the nodes. */
  async seed(counts: { pods: number; configMaps: number; secrets: number }): Promise<void> {
    for (let i = 0; i < counts.configMaps; i++) await this.#count(() => this.createConfigMap());
    for (let i = 0; i < counts.secrets; i++) await this.#count(() => this.createSecret());
    for (let i = 0; i < counts.pods; i++) await this.#count(() => this.createPod());
  }

  /** Runs random operations, `concurrency` at a time, until `signal` aborts; resolves when all ended. */
  async run(signal: AbortSignal, concurrency = 3): Promise<void> {
    const worker = async (): Promise<void> => {
      while (!signal.aborted) {
        const failed = this.counts.failed;
        await this.step();
        // The API server is down or the name is gone: do not spin, as a client with backoff would not.
        if (this.counts.failed > failed) await delay(200);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  /** Runs `n` random operations one after another. */
  async steps(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await this.step();
  }

  /** One random operation. */
  async step(): Promise<void> {
    await this.#count(this.#pick());
  }

  /** The pods the churn believes exist (it created them and did not delete them). */
  get pods(): readonly string[] {
    return [...this.#pods];
  }

  /** The ConfigMaps the churn believes exist. */
  get configMaps(): readonly string[] {
    return [...this.#configMaps];
  }

  #pick(): Op {
    const r = this.#o.random();
    const full = this.#pods.size >= (this.#o.maxPods ?? Infinity);
    if (r < 0.3 && full) return () => this.deletePod(this.#any(this.#pods), r < 0.15);
    if (r < 0.3 || this.#pods.size < 3) return () => this.createPod();
    if (r < 0.4) return () => this.deletePod(this.#any(this.#pods), true);
    if (r < 0.5) return () => this.deletePod(this.#any(this.#pods), false);
    if (r < 0.58) return () => this.touchPod(this.#any(this.#pods));
    if (r < 0.72) return () => this.updateData('configmaps', this.#any(this.#configMaps));
    if (r < 0.82) return () => this.updateData('secrets', this.#any(this.#secrets));
    if (r < 0.87) return () => this.recreate('configmaps', this.#any(this.#configMaps));
    if (r < 0.9) return () => this.recreate('secrets', this.#any(this.#secrets));
    if (r < 0.94) return () => this.createConfigMap();
    if (r < 0.96) return () => this.createSecret();
    if (r < 0.98) return () => this.deleteObject('configmaps', this.#any(this.#configMaps));
    return () => this.deleteObject('secrets', this.#any(this.#secrets));
  }

  async #count(op: Op): Promise<void> {
    try {
      const kind = await op();
      if (kind === 'create') this.counts.creates += 1;
      else if (kind === 'update') this.counts.updates += 1;
      else this.counts.deletes += 1;
    } catch {
      this.counts.failed += 1;
    }
  }

  #any(names: ReadonlySet<string>): string {
    const list = [...names];
    return list[Math.floor(this.#o.random() * list.length)] ?? 'none';
  }

  #name(prefix: string): string {
    this.#next += 1;
    return `${prefix}-${String(this.#next)}`;
  }

  #data(): Record<string, string> {
    return { value: this.#o.random().toString(36).slice(2), at: String(this.#next) };
  }

  #path(resource: string, name?: string): string {
    const base = `/api/v1/namespaces/${this.#o.namespace}/${resource}`;
    return name === undefined ? base : `${base}/${name}`;
  }

  /** Creates a pod on a random node referencing some of the ConfigMaps and Secrets (maybe none). */
  async createPod(node?: string): Promise<'create'> {
    const o = this.#o;
    const name = this.#name('pod');
    const onNode = node ?? o.nodes[Math.floor(o.random() * o.nodes.length)] ?? '';
    const cm = this.#any(this.#configMaps);
    const cm2 = this.#any(this.#configMaps);
    const secret = this.#any(this.#secrets);
    const style = Math.floor(o.random() * 4);
    const volumes =
      style === 0
        ? [{ name: 'cfg', configMap: { name: cm, optional: true } }]
        : style === 1
          ? [
              {
                name: 'all',
                projected: {
                  sources: [
                    { configMap: { name: cm, optional: true } },
                    { secret: { name: secret, optional: true } },
                  ],
                },
              },
            ]
          : style === 2
            ? [{ name: 'sec', secret: { secretName: secret, optional: true } }]
            : [];
    const container = {
      name: 'c',
      image: 'busybox',
      ...(style === 3
        ? {
            envFrom: [{ configMapRef: { name: cm2, optional: true } }],
            env: [{ name: 'S', valueFrom: { secretKeyRef: { name: secret, key: 'value', optional: true } } }],
          }
        : {}),
    };
    await o.admin.request({
      method: 'POST',
      path: this.#path('pods'),
      body: {
        metadata: { name },
        spec: {
          nodeName: onNode,
          containers: [container],
          volumes,
          ...(style === 1 ? { imagePullSecrets: [{ name: secret }] } : {}),
          tolerations: [{ operator: 'Exists' }],
        },
      },
    });
    this.#pods.add(name);
    return 'create';
  }

  /** Deletes a pod: gone at once (`force`, grace 0), or marked for deletion for the edge to finish. */
  async deletePod(name: string, force: boolean): Promise<'delete'> {
    this.#pods.delete(name);
    await this.#o.admin.request({
      method: 'DELETE',
      path: this.#path('pods', name),
      ...(force ? { body: { gracePeriodSeconds: 0 } } : {}),
    });
    return 'delete';
  }

  /** A metadata-only pod update (an annotation). */
  async touchPod(name: string): Promise<'update'> {
    await this.#o.admin.request({
      method: 'PATCH',
      path: this.#path('pods', name),
      contentType: 'application/merge-patch+json',
      body: { metadata: { annotations: { churn: String(this.#next++) } } },
    });
    return 'update';
  }

  async createConfigMap(name = this.#name('cm')): Promise<'create'> {
    await this.#o.admin.request({
      method: 'POST',
      path: this.#path('configmaps'),
      body: { metadata: { name }, data: this.#data() },
    });
    this.#configMaps.add(name);
    return 'create';
  }

  async createSecret(name = this.#name('secret')): Promise<'create'> {
    await this.#o.admin.request({
      method: 'POST',
      path: this.#path('secrets'),
      body: { metadata: { name }, stringData: this.#data() },
    });
    this.#secrets.add(name);
    return 'create';
  }

  /** Changes the data of a ConfigMap or Secret (a change the edge must get). */
  async updateData(resource: 'configmaps' | 'secrets', name: string): Promise<'update'> {
    await this.#o.admin.request({
      method: 'PATCH',
      path: this.#path(resource, name),
      contentType: 'application/merge-patch+json',
      body: resource === 'configmaps' ? { data: this.#data() } : { stringData: this.#data() },
    });
    return 'update';
  }

  /** Deletes and creates again under the same name: same key, new UID. */
  async recreate(resource: 'configmaps' | 'secrets', name: string): Promise<'create'> {
    await this.deleteObject(resource, name);
    if (resource === 'configmaps') await this.createConfigMap(name);
    else await this.createSecret(name);
    return 'create';
  }

  async deleteObject(resource: 'configmaps' | 'secrets', name: string): Promise<'delete'> {
    (resource === 'configmaps' ? this.#configMaps : this.#secrets).delete(name);
    await this.#o.admin.request({ method: 'DELETE', path: this.#path(resource, name) });
    return 'delete';
  }
}
