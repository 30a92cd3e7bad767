/**
 * `edge-controller token`: prints the join token the way `keadm gettoken` does, from Secret
 * `kubeedge/tokensecret` (key `tokendata`) that the running controller keeps fresh.
 * @module
 */
import type { Command } from 'commander';
import { EnvCommand } from './env-command.js';
import { KubeClient, loadKubeConfig, userAgentOf } from '../kube/index.js';
import type { CliContext } from './context.js';

export function tokenCommand(ctx: CliContext): Command {
  return new EnvCommand('token')
    .description('print the edge join token (as keadm gettoken), from Secret kubeedge/tokensecret')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, in-cluster, ~/.kube/config)')
    .option('--namespace <ns>', 'namespace of the token Secret', 'kubeedge')
    .action(async (flags: { kubeconfig?: string; namespace: string }) => {
      const client = new KubeClient({
        kubeConfig: loadKubeConfig({ path: flags.kubeconfig }),
        userAgent: userAgentOf(ctx.version),
      });
      const secret = await client.request<{ data?: { tokendata?: string } }>({
        method: 'GET',
        path: `/api/v1/namespaces/${encodeURIComponent(flags.namespace)}/secrets/tokensecret`,
      });
      const data = secret.data?.tokendata;
      if (data === undefined)
        throw new Error('Secret tokensecret has no tokendata: is the controller running?');
      process.stdout.write(Buffer.from(data, 'base64').toString('utf8') + '\n');
    });
}
