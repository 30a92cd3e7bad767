import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCloudCoreConfig } from './cloudcore-config.js';
import { configReference, renderReference } from './reference.js';

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
const fixture = readFileSync(new URL('../../test/fixtures/cloudcore-default.yaml', import.meta.url), 'utf8');

describe('configuration reference', () => {
  it('is what docs/configuration.md shows', () => {
    assert.ok(
      doc.includes(renderReference()),
      'regenerate the table: node --import tsx scripts/config-reference.ts',
    );
  });

  it('documents only keys the reader really uses', () => {
    const { ignored } = parseCloudCoreConfig(`${fixture}\nedgeController:\n  windowSize: 64\n`);
    for (const { path } of configReference) {
      const isIgnored = ignored.some((p) => p === path || p.startsWith(`${path}.`));
      assert.ok(!isIgnored, `${path} is documented but ignored by the reader`);
    }
  });
});
