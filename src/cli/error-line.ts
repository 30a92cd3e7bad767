/**
 * The one line a failed command ends with: `edge-controller: <code>: <what failed>: <cause>…`, the way
 * a Kubernetes component's last log line names why it exited. Causes (their first line) are appended when
 * not already in the message (ours often quote them), and the whole is kept to one line so that
 * `kubectl logs --tail=1` and `tail -1` show all of it.
 * @module
 */
import { isEdgeControllerError } from '../errors/index.js';

/** The final line for a failure (without `\n`). Errors without a code of ours show their message only. */
export function errorLine(err: unknown): string {
  const parts: string[] = [];
  let text = '';
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; depth++) {
    const full = e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e);
    // A cause's first line only: parsers append multi-line excerpts that a one-line summary cannot hold.
    const message = depth === 0 ? full : (full.split('\n', 1)[0] ?? '');
    if (message !== '' && !text.includes(message)) {
      parts.push(message);
      text += message;
    }
    e = e instanceof Error ? e.cause : undefined;
  }
  const line = parts.map((p) => p.replace(/\s*\n\s*/g, ' ').trim()).join(': ');
  return isEdgeControllerError(err) ? `edge-controller: ${err.code}: ${line}` : `edge-controller: ${line}`;
}
