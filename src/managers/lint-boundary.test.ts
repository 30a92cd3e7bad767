import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

// The pure-core boundary of eslint.config.js, run on what managers/manager.ts used to do (issue 16):
// build a live informer inside a pure folder. Linted as that file, so the real config and globs apply.
const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function ruleIdsOf(code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}src/managers/manager.ts` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('pure-core lint boundary', () => {
  it('refuses building an informer in a pure folder, and accepts its type', async () => {
    const built = await ruleIdsOf(
      [
        "import { Informer } from '../kube/index.js';",
        "import type { KubeClient } from '../kube/index.js';",
        'export const make = (client: KubeClient): unknown =>',
        "  new Informer({ client, path: '/api/v1/pods' });",
        '',
      ].join('\n'),
    );
    assert.deepEqual(built.sort(), ['no-restricted-imports', 'no-restricted-syntax']);

    const direct = await ruleIdsOf(
      "import { InformerFactory } from '../kube/informer/informer-factory.js';\nexport const f = InformerFactory;\n",
    );
    assert.deepEqual(direct, ['no-restricted-imports']);

    const typed = await ruleIdsOf(
      "import type { Informer } from '../kube/index.js';\nexport type Pods = Informer<{ metadata: { name: string } }>;\n",
    );
    assert.deepEqual(typed, []);
  });
});
