import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createMetrics, metricLabelValues } from './metrics.js';

/** One documented metric: its labels, each with its listed values (empty for an open label). */
type DocumentedLabels = Map<string, string[]>;

const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
const documented = new Map<string, DocumentedLabels>();
for (const cells of doc.split('\n').map((line) => line.split('|').map((cell) => cell.trim()))) {
  if (!/^`edgecontroller_[a-z_]+`$/.test(cells[1] ?? '')) continue;
  const labels: DocumentedLabels = new Map();
  // The Labels cell: "`label`: `value`, `value`; `label`" (a label without values has open values).
  for (const part of (cells[3] ?? '').split(';').map((p) => p.trim())) {
    if (part === '') continue;
    const match = /^`([a-z_]+)`(?::(.*))?$/.exec(part);
    assert.ok(match, `docs/metrics.md: cannot read the label "${part}" of ${cells[1] ?? ''}`);
    const values = [...(match[2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    labels.set(match[1] ?? '', values);
  }
  documented.set((cells[1] ?? '').slice(1, -1), labels);
}

// Every non-test source file outside observability/: where label values are emitted.
const srcRoot = new URL('../', import.meta.url);
const sources = readdirSync(srcRoot, { recursive: true, encoding: 'utf8' })
  .filter((p) => p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.startsWith('observability'))
  .map((p) => readFileSync(new URL(p, srcRoot), 'utf8'))
  .join('\n');

describe('metrics catalogue', () => {
  const { registry } = createMetrics({ collectProcessMetrics: false });
  const metrics = registry.getMetricsAsArray();
  const names = metrics.map((m) => m.name);
  const labelsOf = (m: (typeof metrics)[number]): string[] =>
    (m as unknown as { labelNames?: string[] }).labelNames ?? [];

  it('documents every metric in docs/metrics.md', () => {
    for (const name of names) assert.ok(documented.has(name), `${name} is missing from docs/metrics.md`);
  });

  it('documents no metric the code does not define', () => {
    for (const name of documented.keys())
      assert.ok(names.includes(name), `${name} is documented but not defined`);
  });

  it('documents each metric with exactly its labels', () => {
    for (const m of metrics) {
      const inDoc = [...(documented.get(m.name)?.keys() ?? [])].sort();
      assert.deepEqual(inDoc, [...labelsOf(m)].sort(), `labels of ${m.name}`);
    }
  });

  it('documents exactly the label values the code declares, and only for closed labels', () => {
    for (const m of metrics) {
      for (const label of labelsOf(m)) {
        const declared = [...(metricLabelValues[m.name]?.[label] ?? [])].sort();
        const inDoc = [...(documented.get(m.name)?.get(label) ?? [])].sort();
        assert.deepEqual(inDoc, declared, `values of ${m.name}{${label}} in docs/metrics.md`);
      }
    }
    for (const [name, labels] of Object.entries(metricLabelValues)) {
      const metric = metrics.find((m) => m.name === name);
      assert.ok(metric, `metricLabelValues names an unknown metric ${name}`);
      for (const label of Object.keys(labels))
        assert.ok(labelsOf(metric).includes(label), `metricLabelValues: ${name} has no label ${label}`);
    }
  });

  it('declares no label value the code never emits', () => {
    for (const [name, labels] of Object.entries(metricLabelValues)) {
      for (const [label, values] of Object.entries(labels)) {
        for (const value of values) {
          assert.ok(
            sources.includes(`'${value}'`),
            `${name}{${label}="${value}"} is declared, but no source outside observability/ has '${value}'`,
          );
        }
      }
    }
  });

  it('names metrics edgecontroller_<subsystem>_<what>_<unit> and never labels them by node', () => {
    for (const m of metrics) {
      assert.match(m.name, /^edgecontroller_[a-z]+_[a-z_]+$/);
      assert.ok(!labelsOf(m).includes('node'), `${m.name} must not have a node label`);
    }
  });
});
