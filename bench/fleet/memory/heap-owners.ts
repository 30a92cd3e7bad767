/**
 * Where a heap grew between two V8 heap snapshots (`.heapsnapshot`, e.g. the controller's at 0 and at N
 * idle nodes from idle-node-memory.bench.ts `--heap-snapshots`): self size and count per constructor (or
 * per node type for strings, arrays, code, closures), the difference divided by N, largest first. Self
 * sizes only: a Node object's strings and arrays show under `string` and `(object elements)`, not under
 * the object; the growth per node still adds up to the heap's growth.
 *
 *   node --import tsx bench/fleet/memory/heap-owners.ts <at-0.heapsnapshot> <at-N.heapsnapshot> <N> [top]
 * @module
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

interface Snapshot {
  readonly snapshot: {
    readonly meta: { readonly node_fields: string[]; readonly node_types: [string[], ...unknown[]] };
  };
  readonly nodes: number[];
  readonly strings: string[];
}

/** Self size and count per owner (`<type>:<constructor name>`). */
export type OwnerTotals = Map<string, { bytes: number; count: number }>;

/** Totals of one snapshot file. */
export async function ownersOf(path: string): Promise<OwnerTotals> {
  const snap = JSON.parse(await readFile(path, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const totals: OwnerTotals = new Map();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt] ?? 0] ?? '?';
    const name = snap.strings[snap.nodes[i + nameAt] ?? 0] ?? '?';
    // Objects and closures by constructor or function; strings, arrays and code by type alone.
    const owner =
      type === 'object' || type === 'closure' || type === 'native' || type === 'hidden'
        ? `${type}:${name.slice(0, 60)}`
        : type;
    const size = snap.nodes[i + sizeAt] ?? 0;
    const total = totals.get(owner);
    if (total === undefined) totals.set(owner, { bytes: size, count: 1 });
    else {
      total.bytes += size;
      total.count += 1;
    }
  }
  return totals;
}

/** The growth per owner from `before` to `after`, per `n`, largest first. */
export function growth(
  before: OwnerTotals,
  after: OwnerTotals,
  n: number,
): { owner: string; bytesPerNode: number; countPerNode: number }[] {
  const owners = new Set([...before.keys(), ...after.keys()]);
  return [...owners]
    .map((owner) => ({
      owner,
      bytesPerNode: ((after.get(owner)?.bytes ?? 0) - (before.get(owner)?.bytes ?? 0)) / n,
      countPerNode: ((after.get(owner)?.count ?? 0) - (before.get(owner)?.count ?? 0)) / n,
    }))
    .sort((a, b) => b.bytesPerNode - a.bytesPerNode);
}

async function main(): Promise<void> {
  const [beforePath, afterPath, nText, topText] = process.argv.slice(2);
  if (beforePath === undefined || afterPath === undefined || nText === undefined)
    throw new Error('usage: heap-owners.ts <at-0.heapsnapshot> <at-N.heapsnapshot> <N> [top]');
  const n = Number(nText);
  const before = await ownersOf(beforePath);
  const after = await ownersOf(afterPath);
  const rows = growth(before, after, n);
  const total = rows.reduce((sum, r) => sum + r.bytesPerNode, 0);
  process.stdout.write(`heap growth per node: ${(total / 1024).toFixed(1)} KiB (self sizes)\n`);
  for (const row of rows.slice(0, Number(topText ?? 40)))
    process.stdout.write(
      `${(row.bytesPerNode / 1024).toFixed(2).padStart(8)} KiB  ${row.countPerNode.toFixed(1).padStart(7)} objs  ${row.owner}\n`,
    );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
