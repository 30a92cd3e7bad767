/**
 * The shape of `<data-dir>/ready.json`, which `localcp up` writes once the control plane is usable.
 * Parsed once here (zod) so the rest of the TS side trusts it.
 * @module
 */
import { z } from 'zod';

const port = z.number().int().min(1).max(65535);

/** Schema of ready.json (local-cluster/internal/supervisor/control.go `Ready`). */
export const readyFileSchema = z.object({
  pid: z.number().int().positive(),
  ports: z.object({
    etcdClient: port,
    etcdPeer: port,
    apiServer: port,
    controllerManager: port,
    scheduler: port,
    control: port,
  }),
  server: z.url(),
  kubeconfig: z.string().min(1),
  caCert: z.string().min(1),
  caKey: z.string().min(1),
  kubernetesVersion: z.string(),
  etcdVersion: z.string(),
  startToReadyMs: z.number().int().nonnegative(),
});

/** What a running local control plane published about itself. */
export type ReadyFile = z.infer<typeof readyFileSchema>;

/** The components `localcp up` supervises, by their subcommand names. */
export const componentNames = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
export type ComponentName = (typeof componentNames)[number];
