/**
 * The Prometheus text exposition format, version 0.0.4: for each family with
 * samples, `# HELP name text` (backslash and newline escaped), `# TYPE name
 * gauge`, then `name{label="value",...} value` lines (label values escape
 * backslash, double quote and newline). node_exporter's textfile collector
 * reads it as it is.
 */
import type { MetricFamily } from '../../src/model/metrics.js';

const helpText = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const labelValue = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderPrometheus(families: MetricFamily[]): string {
  const out: string[] = [];
  // every family is declared, even with no samples (no objects of any owner yet): the set of names never shifts
  for (const f of families) {
    out.push(`# HELP ${f.name} ${helpText(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${labelValue(v)}"`)
        .join(',');
      out.push(`${f.name}${labels ? `{${labels}}` : ''} ${String(s.value)}`);
    }
  }
  return out.join('\n') + '\n';
}
