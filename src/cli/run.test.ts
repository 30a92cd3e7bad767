import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envName } from './run.js';

describe('envName', () => {
  const table: [string, string][] = [
    ['hubPort', 'EDGE_CONTROLLER_HUB_PORT'],
    ['config', 'EDGE_CONTROLLER_CONFIG'],
    ['allowLegacyEdgeCert', 'EDGE_CONTROLLER_ALLOW_LEGACY_EDGE_CERT'],
  ];
  for (const [attribute, env] of table) {
    it(`maps ${attribute} to ${env}`, () => {
      assert.equal(envName(attribute), env);
    });
  }
});
