import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createMetrics } from './metrics.js';

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../deploy/grafana/edge-controller-dashboard.json', import.meta.url), 'utf8'),
) as Dashboard;

describe('Grafana dashboard', () => {
  it('queries only metrics the controller exports', () => {
    const names = new Set(
      createMetrics({ collectProcessMetrics: false })
        .registry.getMetricsAsArray()
        .map((m) => m.name),
    );
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        for (const used of expr.match(/edgecontroller_[a-z_]+/g) ?? []) {
          const base = used.replace(/_(bucket|sum|count)$/, '');
          assert.ok(names.has(base), `panel "${panel.title}" uses unknown metric ${used}`);
        }
      }
    }
  });

  it('shows every series the controller exports', () => {
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    const names = createMetrics({ collectProcessMetrics: false })
      .registry.getMetricsAsArray()
      .map((m) => m.name);
    for (const name of names) assert.ok(exprs.includes(name), `no panel shows ${name}`);
  });
});
