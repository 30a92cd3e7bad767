/**
 * What every adversarial test file shares: one real control plane (useLocalCluster), the controller in
 * its own process with its RSS and log bytes watched, the join token, and certificates minted with it
 * for any node name.
 * @module
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { TestCluster } from '../../support/cluster.js';
import { eventually } from '../../support/eventually.js';
import {
  RawEdge,
  WellBehavedNode,
  mintIdentity,
  startControllerChild,
} from '../../support/raw-edge/index.js';
import type { ControllerChild, ControllerChildOptions, RawIdentity } from '../../support/raw-edge/index.js';

/** The control plane, the controller process and the token of one test file. */
export interface Target {
  readonly cluster: TestCluster;
  readonly controller: ControllerChild;
  readonly token: string;
  /** A certificate for `name`, from the join token. */
  readonly mint: (name: string) => Promise<RawIdentity>;
  /** A fresh node name with `prefix`. */
  readonly name: (prefix: string) => string;
}

/**
 * Registers the controller's before/after hooks; call it inside the file's `describe`, with the getter
 * `useLocalCluster()` returned at the top level (the control plane's own hooks run first, as in the
 * integration tests). The returned getter is valid inside tests.
 */
export function useTarget(
  getCluster: () => TestCluster,
  options: Omit<ControllerChildOptions, 'kubeconfig'> = {},
): () => Target {
  let target: Target | undefined;
  let seq = 0;
  before(async () => {
    const cluster = getCluster();
    const controller = await startControllerChild({ ...options, kubeconfig: cluster.cluster.kubeconfigPath });
    const token = await eventually(async () => {
      const secret = await cluster.admin.request<{ data?: { tokendata?: string } }>({
        method: 'GET',
        path: '/api/v1/namespaces/kubeedge/secrets/tokensecret',
      });
      const data = secret.data?.tokendata;
      if (data === undefined) throw new Error('no join token yet');
      return Buffer.from(data, 'base64').toString('utf8');
    });
    target = {
      cluster,
      controller,
      token,
      mint: (name) => mintIdentity(controller.httpServer, token, name),
      name: (prefix) => {
        seq += 1;
        return `${prefix}-${String(seq)}-${String(process.pid % 1000)}`;
      },
    };
  });
  after(async () => {
    // Whatever a failed test left open: the nodes, then the connections, then the controller.
    await WellBehavedNode.stopAll();
    RawEdge.terminateAll();
    await target?.controller.stop();
    // ADVERSARIAL_LOG_DIR keeps what the controller logged (with keepOutput), to read after a failure.
    const dir = process.env['ADVERSARIAL_LOG_DIR'];
    if (dir !== undefined && target !== undefined && target.controller.output.text.length > 0) {
      await writeFile(
        join(dir, `controller-${String(target.controller.pid)}.log`),
        target.controller.output.text.join(''),
      );
    }
  });
  return () => {
    assert.ok(target !== undefined, 'the target did not start (see the before hook)');
    return target;
  };
}

/** Fails when the controller process has exited (crashed). */
export function assertAlive(controller: ControllerChild): void {
  assert.equal(controller.exit, undefined, `the controller exited: ${JSON.stringify(controller.exit)}`);
}
