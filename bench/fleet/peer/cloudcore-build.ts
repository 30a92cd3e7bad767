/**
 * Builds KubeEdge CloudCore v1.23.1 for the peer benchmark: KubeEdge's own `cloud/cmd/cloudcore` main,
 * unchanged, from the Go module pinned in `bench/fleet/peer/cloudcore/` (go.mod holds only the requirement
 * and KubeEdge's replace block), into `.cache/cloudcore/cloudcore`, cached by content hash like the hollow
 * EdgeCore. KubeEdge's two nested staging modules come from `../shared/goproxy/` (first in GOPROXY);
 * go.sum is committed, so no checksum lookup is made. Run directly (`make cloudcore`) it prints the path.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureGoBinary, projectRoot } from '../../../src/local-cluster/index.js';
import type { BuildOptions, BuildResult } from '../../../src/local-cluster/index.js';

/** The KubeEdge release CloudCore is built from (bench/fleet/peer/cloudcore/go.mod). */
export const cloudCoreVersion = 'v1.23.1';

/** Where the binary is built to. */
export const cloudCoreBinaryPath = join(projectRoot, '.cache', 'cloudcore', 'cloudcore');

/** The Go module directory (go.mod, go.sum). */
export const cloudCoreModuleDir = join(projectRoot, 'bench', 'fleet', 'peer', 'cloudcore');

const sharedGoProxy = join(projectRoot, '..', 'shared', 'goproxy');

/** Returns the CloudCore binary built from the pinned module, building it first if needed. */
export function ensureCloudCoreBinary(options: BuildOptions = {}): Promise<BuildResult> {
  return ensureGoBinary(
    {
      description: `KubeEdge CloudCore ${cloudCoreVersion}`,
      moduleDir: cloudCoreModuleDir,
      // A package of the dependency, not of this module: go.mod's `tool` line keeps it resolvable.
      packagePath: 'github.com/kubeedge/kubeedge/cloud/cmd/cloudcore',
      binaryPath: cloudCoreBinaryPath,
      ldflags: `-s -w -X github.com/kubeedge/kubeedge/pkg/version.gitVersion=${cloudCoreVersion}`,
      // KubeEdge builds CloudCore static (hack/lib/golang.sh: CGO only for the edge's sqlite).
      env: { CGO_ENABLED: '0', GOPROXY: goProxy(), GONOSUMDB: 'github.com/kubeedge/kubeedge/staging' },
    },
    options,
  );
}

/** KubeEdge's module cache copy, where its CRDs (`build/crds/`) are read from at run time. */
export function kubeEdgeModuleDir(): string {
  const cache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  return join(cache, 'github.com', 'kubeedge', `kubeedge@${cloudCoreVersion}`);
}

/**
 * The shared proxy of KubeEdge's staging modules first, then whatever proxy Go is set up with. When the
 * modules are already in the module cache, Go asks neither.
 */
function goProxy(): string {
  let usual = process.env.GOPROXY ?? '';
  if (usual === '') {
    try {
      usual = execFileSync('go', ['env', 'GOPROXY'], { encoding: 'utf8' }).trim();
    } catch {
      usual = '';
    }
  }
  if (usual === '') usual = 'https://proxy.golang.org,direct';
  return existsSync(sharedGoProxy) ? `file://${sharedGoProxy},${usual}` : usual;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await ensureCloudCoreBinary({ onLog: (line) => process.stderr.write(line + '\n') });
  process.stdout.write(`${result.binaryPath}${result.built ? '' : ' (up to date)'}\n`);
}
