/**
 * Builds the hollow EdgeCore (interop/hollow-edge/: KubeEdge v1.23.1's edged, edgehub and metamanager with a
 * fake container runtime) when missing or stale, cached like the control plane by content hash in
 * `.cache/hollow-edge/`. KubeEdge's two nested staging modules come from `../shared/goproxy/` (first in
 * GOPROXY), everything else from the usual proxy; go.sum is committed, so no checksum lookup is made.
 * @module
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureGoBinary, projectRoot } from '../../../src/local-cluster/index.js';
import type { BuildOptions, BuildResult } from '../../../src/local-cluster/index.js';

/** The KubeEdge release the hollow EdgeCore is built from (interop/hollow-edge/go.mod). */
export const kubeEdgeVersion = 'v1.23.1';

/** Where the binary is built to. */
export const hollowEdgeBinaryPath = join(projectRoot, '.cache', 'hollow-edge', 'hollow-edge');

const moduleDir = join(projectRoot, 'interop', 'hollow-edge');
const sharedGoProxy = join(projectRoot, '..', 'shared', 'goproxy');

/** Returns the hollow EdgeCore binary built from the current sources, building it first if needed. */
export function ensureHollowEdgeBinary(options: BuildOptions = {}): Promise<BuildResult> {
  return ensureGoBinary(
    {
      description: `the hollow EdgeCore (KubeEdge ${kubeEdgeVersion})`,
      moduleDir,
      packagePath: '.',
      binaryPath: hollowEdgeBinaryPath,
      ldflags: `-s -w -X github.com/kubeedge/kubeedge/pkg/version.gitVersion=${kubeEdgeVersion}`,
      // cgo: KubeEdge's store is sqlite through mattn/go-sqlite3.
      env: { CGO_ENABLED: '1', GOPROXY: goProxy() },
    },
    options,
  );
}

/**
 * The shared proxy of KubeEdge's staging modules first, then whatever proxy Go is set up with. When the
 * modules are already in the module cache, Go asks neither.
 */
function goProxy(): string {
  const usual = process.env.GOPROXY ?? goEnvValue('GOPROXY');
  return existsSync(sharedGoProxy) ? `file://${sharedGoProxy},${usual}` : usual;
}

function goEnvValue(name: string): string {
  try {
    return (
      execFileSync('go', ['env', name], { encoding: 'utf8' }).trim() || 'https://proxy.golang.org,direct'
    );
  } catch {
    return 'https://proxy.golang.org,direct';
  }
}
