/**
 * The diff between what an edge should hold and what it holds: lost (should hold, does not), extra (holds,
 * should not) and stale (holds it, but another UID or state), per node, with names, so a failing fault
 * test says exactly what went wrong where. Pure.
 * @module
 */
import type { ObjectView, ViewSet } from './edge-view.js';

/** One stale object: what the edge should hold and what it holds. */
export interface StaleObject {
  readonly key: string;
  readonly want: ObjectView;
  readonly got: ObjectView;
}

/** The diff of one node. */
export interface NodeDiff {
  readonly lost: readonly ObjectView[];
  readonly extra: readonly ObjectView[];
  readonly stale: readonly StaleObject[];
}

/** The diff of a fleet: per node, and the totals. */
export interface FleetDiff {
  readonly nodes: ReadonlyMap<string, NodeDiff>;
  readonly lost: number;
  readonly extra: number;
  readonly stale: number;
  /** Objects compared (desired, summed over nodes). */
  readonly desired: number;
}

/** Extra words about one object in a diff (e.g. its ObjectSync record), or none. */
export type Annotate = (node: string, view: ObjectView) => string | undefined;

const byKey = (a: { key: string }, b: { key: string }): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/** Diffs one node's store view against its desired view. */
export function diffNode(desired: ViewSet, actual: ViewSet): NodeDiff {
  const lost: ObjectView[] = [];
  const extra: ObjectView[] = [];
  const stale: StaleObject[] = [];
  for (const [key, want] of desired) {
    const got = actual.get(key);
    if (got === undefined) lost.push(want);
    else if (got.uid !== want.uid || got.state !== want.state) stale.push({ key, want, got });
  }
  for (const [key, got] of actual) if (!desired.has(key)) extra.push(got);
  return { lost: lost.sort(byKey), extra: extra.sort(byKey), stale: stale.sort(byKey) };
}

/** Diffs every node in `desired` (a node missing from `actual` holds nothing). */
export function diffFleet(
  desired: ReadonlyMap<string, ViewSet>,
  actual: ReadonlyMap<string, ViewSet>,
): FleetDiff {
  const nodes = new Map<string, NodeDiff>();
  let lost = 0;
  let extra = 0;
  let stale = 0;
  let count = 0;
  for (const [node, want] of desired) {
    const diff = diffNode(want, actual.get(node) ?? new Map());
    nodes.set(node, diff);
    lost += diff.lost.length;
    extra += diff.extra.length;
    stale += diff.stale.length;
    count += want.size;
  }
  return { nodes, lost, extra, stale, desired: count };
}

/** Whether nothing is lost, extra or stale. */
export function isConverged(diff: FleetDiff): boolean {
  return diff.lost === 0 && diff.extra === 0 && diff.stale === 0;
}

/** `lost/extra/stale` counts, e.g. `0/36/0`. */
export function diffCounts(diff: FleetDiff): string {
  return `${String(diff.lost)}/${String(diff.extra)}/${String(diff.stale)}`;
}

const show = (v: ObjectView): string => `${v.uid}${v.state === '' ? '' : `/${v.state}`}`;

/**
 * A precise, bounded text of the diff: per node, the names (at most `limit` per list), each with what
 * `annotate` says about it.
 */
export function formatDiff(diff: FleetDiff, limit = 20, annotate: Annotate = () => undefined): string {
  const lines = [`lost/extra/stale ${diffCounts(diff)} of ${String(diff.desired)} desired objects`];
  const list = (items: readonly string[]): string =>
    items
      .slice(0, limit)
      .map((item) => `\n      ${item}`)
      .join('') + (items.length > limit ? `\n      … ${String(items.length - limit)} more` : '');
  for (const [node, d] of diff.nodes) {
    if (d.lost.length + d.extra.length + d.stale.length === 0) continue;
    const note = (v: ObjectView): string => {
      const said = annotate(node, v);
      return said === undefined ? '' : ` (${said})`;
    };
    lines.push(`  ${node}:`);
    if (d.lost.length > 0) {
      lines.push(
        `    lost (${String(d.lost.length)}):${list(d.lost.map((v) => `${v.key} ${show(v)}${note(v)}`))}`,
      );
    }
    if (d.extra.length > 0) {
      lines.push(
        `    extra (${String(d.extra.length)}):${list(d.extra.map((v) => `${v.key} ${show(v)}${note(v)}`))}`,
      );
    }
    if (d.stale.length > 0) {
      lines.push(
        `    stale (${String(d.stale.length)}):${list(
          d.stale.map((s) => `${s.key} want ${show(s.want)} got ${show(s.got)}${note(s.got)}`),
        )}`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * One line per discrepancy, naming the node, the object and what differs: equal lines mean the same
 * leftover (a soak round that gave up leaves these; the next rounds must not fail again for them).
 */
export function discrepancies(diff: FleetDiff): string[] {
  const lines: string[] = [];
  for (const [node, d] of diff.nodes) {
    for (const v of d.lost) lines.push(`${node} lost ${v.key} ${show(v)}`);
    for (const v of d.extra) lines.push(`${node} extra ${v.key} ${show(v)}`);
    for (const s of d.stale) lines.push(`${node} stale ${s.key} ${show(s.want)} ${show(s.got)}`);
  }
  return lines;
}

/** The diff without the discrepancies listed in `known` (see {@link discrepancies}). */
export function withoutKnown(diff: FleetDiff, known: ReadonlySet<string>): FleetDiff {
  if (known.size === 0) return diff;
  const nodes = new Map<string, NodeDiff>();
  let lost = 0;
  let extra = 0;
  let stale = 0;
  for (const [node, d] of diff.nodes) {
    const kept: NodeDiff = {
      lost: d.lost.filter((v) => !known.has(`${node} lost ${v.key} ${show(v)}`)),
      extra: d.extra.filter((v) => !known.has(`${node} extra ${v.key} ${show(v)}`)),
      stale: d.stale.filter((s) => !known.has(`${node} stale ${s.key} ${show(s.want)} ${show(s.got)}`)),
    };
    nodes.set(node, kept);
    lost += kept.lost.length;
    extra += kept.extra.length;
    stale += kept.stale.length;
  }
  return { nodes, lost, extra, stale, desired: diff.desired };
}
