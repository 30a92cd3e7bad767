/**
 * Builds the control-plane binary (`localcp`) from local-cluster/ when it is missing or stale, through the
 * cached Go build of `go-build.ts`.
 * @module
 */
import { ensureGoBinary } from './go-build.js';
import type { BuildOptions, BuildResult } from './go-build.js';
import { binaryPath, goModuleDir } from './paths.js';

/** Kubernetes release the binary is pinned to (local-cluster/go.mod); stamped into /version. */
export const kubernetesVersion = 'v1.35.4';

const ldflags = [
  '-s',
  '-w',
  `-X k8s.io/component-base/version.gitVersion=${kubernetesVersion}`,
  '-X k8s.io/component-base/version.gitMajor=1',
  '-X k8s.io/component-base/version.gitMinor=35',
  '-X k8s.io/component-base/version.gitTreeState=clean',
].join(' ');

/** Returns the path of a binary built from the current sources, building it first if needed. */
export function ensureLocalClusterBinary(options: BuildOptions = {}): Promise<BuildResult> {
  return ensureGoBinary(
    {
      description: `the local control plane (${kubernetesVersion})`,
      moduleDir: goModuleDir,
      packagePath: './cmd/localcp',
      binaryPath,
      ldflags,
      env: { CGO_ENABLED: '0' },
    },
    options,
  );
}
