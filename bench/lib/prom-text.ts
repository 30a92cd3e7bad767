/**
 * Reads the controller's `/metrics` (Prometheus text format 0.0.4) into samples, and sums a metric over
 * the label sets that match: enough for the benches to take counters and gauges from the controller
 * process without a Prometheus server.
 * @module
 */

/** One line of the exposition: name, labels and value. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const lineRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the text format; comment and malformed lines are skipped. */
export function parsePromText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = lineRe.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(labelRe)) labels[l[1] ?? ''] = l[2] ?? '';
    const raw = m[4] ?? '';
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    samples.push({ name: m[1] ?? '', labels, value });
  }
  return samples;
}

/** The sum of `name` over every label set that has all of `labels`; NaN when none matches. */
export function promSum(
  samples: readonly PromSample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  let sum = 0;
  let found = false;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (!Object.entries(labels).every(([k, v]) => s.labels[k] === v)) continue;
    sum += s.value;
    found = true;
  }
  return found ? sum : NaN;
}

/** GETs `http://127.0.0.1:<port>/metrics` and parses it; rejects after `timeoutMs`. */
export async function scrapeMetrics(port: number, timeoutMs = 5_000): Promise<PromSample[]> {
  const res = await fetch(`http://127.0.0.1:${String(port)}/metrics`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  return parsePromText(await res.text());
}
