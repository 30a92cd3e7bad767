/**
 * `edge-controller nodes`: per-node state from a running controller's admin endpoint (`/nodes` on the
 * metrics address): its owner (the replica holding its session, issue 14), connected, last keepalive,
 * queue depth, in flight, why the last session ended. Metrics carry no per-node labels, so this is where
 * one node is looked at. With several replicas, any one answers for every node's owner; the session and
 * queue columns are filled by the replica that owns the node (`-` elsewhere).
 * @module
 */
import type { Command } from 'commander';
import { EnvCommand } from './env-command.js';
import type { CliContext } from './context.js';
import { renderTable } from './table.js';

interface NodeRow {
  node: string;
  /** The replica recorded as the node's owner; null (or absent, from an older controller) when none. */
  owner?: string | null;
  /** Absent when the answering replica holds nothing for the node (another replica owns it). */
  state?: {
    connected: boolean;
    connectedAt?: number;
    lastKeepaliveAt?: number;
    lastDisconnect?: string;
    queue: { pendingAck: number; pendingNoAck: number; inFlight: number };
  };
}

export function nodesCommand(_ctx: CliContext): Command {
  return new EnvCommand('nodes')
    .description("show each edge node's session and queue state from a running controller")
    .option('--metrics-address <host:port>', "the controller's metrics address", '127.0.0.1:9091')
    .action(async (flags: { metricsAddress: string }) => {
      const res = await fetch(`http://${flags.metricsAddress}/nodes`);
      if (!res.ok) throw new Error(`GET /nodes on ${flags.metricsAddress}: ${String(res.status)}`);
      const rows = (await res.json()) as NodeRow[];
      process.stdout.write(formatNodes(rows, Date.now()));
    });
}

/** The table `nodes` prints. */
export function formatNodes(rows: readonly NodeRow[], now: number): string {
  const ago = (t: number | undefined): string =>
    t === undefined ? '-' : `${String(Math.round((now - t) / 1000))}s ago`;
  const table = [
    ['NODE', 'OWNER', 'CONNECTED', 'SINCE', 'LAST KEEPALIVE', 'QUEUED', 'IN FLIGHT', 'LAST DISCONNECT'],
    ...rows.map(({ node, owner, state }) =>
      state === undefined
        ? [node, owner ?? '-', '-', '-', '-', '-', '-', '-']
        : [
            node,
            owner ?? '-',
            state.connected ? 'yes' : 'no',
            ago(state.connectedAt),
            ago(state.lastKeepaliveAt),
            String(state.queue.pendingAck + state.queue.pendingNoAck),
            String(state.queue.inFlight),
            state.lastDisconnect ?? '-',
          ],
    ),
  ];
  return renderTable(table);
}
