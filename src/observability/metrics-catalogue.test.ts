import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createMetrics } from './metrics.js';

const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
const documented = new Set(
  doc
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .filter((cells) => /^`edgecontroller_[a-z_]+`$/.test(cells[1] ?? ''))
    .map((cells) => (cells[1] ?? '').slice(1, -1)),
);

describe('metrics catalogue', () => {
  const { registry } = createMetrics({ collectProcessMetrics: false });
  const names = registry.getMetricsAsArray().map((m) => m.name);

  it('documents every metric in docs/metrics.md', () => {
    for (const name of names) assert.ok(documented.has(name), `${name} is missing from docs/metrics.md`);
  });

  it('documents no metric the code does not define', () => {
    for (const name of documented) assert.ok(names.includes(name), `${name} is documented but not defined`);
  });

  it('names metrics edgecontroller_<subsystem>_<what>_<unit> and never labels them by node', () => {
    for (const m of registry.getMetricsAsArray()) {
      assert.match(m.name, /^edgecontroller_[a-z]+_[a-z_]+$/);
      const labels = (m as unknown as { labelNames?: string[] }).labelNames ?? [];
      assert.ok(!labels.includes('node'), `${m.name} must not have a node label`);
    }
  });
});
