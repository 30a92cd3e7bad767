/**
 * Who the controller says it is on every API request: a User-Agent `edge-controller/<version>` and, on
 * every write, the field manager `edge-controller`. With them `managedFields` and the API server's audit
 * log name us (KubeEdge's writes show `cloudcore`); without them a pod's status was written by
 * "undici". Pure: the client applies these to each request.
 * @module
 */

/** Defaults of {@link KubeClient}'s identity. The version is unknown until the CLI passes it. */
export const requestIdentityDefaults = Object.freeze({
  userAgent: 'edge-controller',
  fieldManager: 'edge-controller',
});

/** The User-Agent of a release: `edge-controller/0.1.0` (client-go's `<command>/<version>` form). */
export function userAgentOf(version: string): string {
  return `edge-controller/${version}`;
}

/** Methods the API server takes a `fieldManager` on (create, update, patch; not delete or get). */
const writeMethods: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

/**
 * `path` with `fieldManager=<manager>` added when `method` is a write and the path does not name a
 * manager already (server-side apply names its own, and a caller's choice wins).
 */
export function withFieldManager(method: string, path: string, fieldManager: string): string {
  if (!writeMethods.has(method)) return path;
  const query = path.indexOf('?');
  if (query !== -1 && new URLSearchParams(path.slice(query + 1)).has('fieldManager')) return path;
  return `${path}${query === -1 ? '?' : '&'}fieldManager=${encodeURIComponent(fieldManager)}`;
}
