/**
 * The one runner every benchmark uses: it records the machine (Node version, CPUs) and the parameters,
 * writes `bench/results/<name>.json`, and prints a human summary with the ratios between variants
 * measured in the same run (STYLE.md B9).
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured variant. */
export interface VariantResult {
  readonly name: string;
  /** The headline figure, e.g. messages per second. */
  readonly value: number;
  readonly unit: string;
  /** Anything else worth keeping (latency percentiles, counts). */
  readonly details?: Record<string, number | string>;
}

/** A finished benchmark. The first variant is the baseline for the ratios. */
export interface BenchReport {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, number | string | boolean>;
  readonly variants: readonly VariantResult[];
  /** Raw series kept with the result (e.g. latency over time, memory against nodes) for plots. */
  readonly series?: Record<string, unknown>;
  /** Print no ratios in the summary: the variants are different figures, not variants of one. */
  readonly noRatios?: boolean;
  /** Other files written with this result (e.g. SVG plots), listed in the summary. */
  readonly files?: readonly string[];
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** `bench/results/<file>`: where a bench writes what goes with its JSON (e.g. an SVG plot). */
export function resultsPath(file: string): string {
  return join(resultsDir, file);
}

/** Writes the JSON result and prints the summary. Returns the JSON path. */
export async function report(bench: BenchReport): Promise<string> {
  const baseline = bench.variants[0];
  const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' };
  const variants = bench.variants.map((v) => ({
    ...v,
    ratioToBaseline: baseline !== undefined && baseline.value !== 0 ? v.value / baseline.value : null,
  }));
  const json = { ...bench, variants, machine, date: new Date().toISOString() };
  await mkdir(resultsDir, { recursive: true });
  const path = join(resultsDir, `${bench.name}.json`);
  await writeFile(path, JSON.stringify(json, null, 2) + '\n');
  const lines = [
    `\n${bench.name}: ${bench.description}`,
    `  machine: Node ${machine.node}, ${String(machine.cpus)} CPUs (${machine.cpuModel})`,
    `  parameters: ${Object.entries(bench.parameters)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ')}`,
    ...variants.map(
      (v) =>
        `  ${v.name.padEnd(28)} ${v.value.toFixed(1).padStart(10)} ${v.unit}` +
        (v.ratioToBaseline !== null && bench.noRatios !== true
          ? `   x${v.ratioToBaseline.toFixed(2)} vs ${baseline?.name ?? ''}`
          : ''),
    ),
    ...(bench.files ?? []).map((f) => `  plot: ${f}`),
    `  written to ${path}\n`,
  ];
  process.stdout.write(lines.join('\n'));
  return path;
}
