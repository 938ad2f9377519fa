/**
 * A strict parser of the Prometheus text exposition format, version 0.0.4,
 * written from the format's rules for the tests: every line is a HELP, a
 * TYPE, another comment, a sample or empty; names and label names match their
 * grammars; label values and HELP texts use only their escapes; each family
 * has one HELP and one TYPE, before its samples, and its lines together; no
 * series twice; values are Go floats. Any breach throws, naming the line.
 */
export interface Family {
  help: string;
  type: string;
  samples: { labels: Record<string, string>; value: number }[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function unescape(text: string, allowed: string, where: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') {
      out += text[i];
      continue;
    }
    const next = text[++i];
    if (next === undefined || !allowed.includes(next)) throw new Error(`${where}: bad escape \\${next ?? ''}`);
    out += next === 'n' ? '\n' : next;
  }
  return out;
}

export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the text does not end with a newline');
  const families = new Map<string, Family & { sawSample: boolean; sawHelp: boolean; sawType: boolean }>();
  const series = new Set<string>();
  const done = new Set<string>();
  let current: string | null = null;
  const enter = (name: string, where: string) => {
    if (current !== name) {
      if (done.has(name)) throw new Error(`${where}: family ${name} appears again after another`);
      if (current) done.add(current);
      current = name;
    }
    let f = families.get(name);
    if (!f) families.set(name, (f = { help: '', type: 'untyped', samples: [], sawSample: false, sawHelp: false, sawType: false }));
    return f;
  };
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      const where = `line ${i + 1}: ${JSON.stringify(line)}`;
      if (line === '') return;
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (meta) {
        const [, kind, name, rest] = meta as unknown as [string, string, string, string];
        if (!NAME.test(name)) throw new Error(`${where}: bad metric name`);
        const f = enter(name, where);
        if (f.sawSample) throw new Error(`${where}: ${kind} after the family's samples`);
        if (kind === 'HELP') {
          if (f.sawHelp) throw new Error(`${where}: second HELP`);
          f.sawHelp = true;
          f.help = unescape(rest, '\\n', where);
        } else {
          if (f.sawType) throw new Error(`${where}: second TYPE`);
          if (!TYPES.has(rest)) throw new Error(`${where}: bad type`);
          f.sawType = true;
          f.type = rest;
        }
        return;
      }
      if (line.startsWith('#')) return; // a comment
      const m = /^([^{\s]+)(\{(.*)\})?[ \t]+(\S+)(?:[ \t]+(-?\d+))?$/.exec(line);
      if (!m) throw new Error(`${where}: not a sample`);
      const [, name, , body, value] = m as unknown as [string, string, string | undefined, string | undefined, string];
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name`);
      if (!VALUE.test(value)) throw new Error(`${where}: bad value`);
      const labels: Record<string, string> = {};
      if (body !== undefined) {
        let rest = body;
        while (rest.length) {
          const l = /^([^=]+)="((?:[^"\\]|\\.)*)"(,|$)/.exec(rest);
          if (!l) throw new Error(`${where}: bad labels at ${JSON.stringify(rest)}`);
          const [all, label, raw] = l as unknown as [string, string, string];
          if (!LABEL.test(label) || label.startsWith('__')) throw new Error(`${where}: bad label name ${label}`);
          if (label in labels) throw new Error(`${where}: label ${label} twice`);
          labels[label] = unescape(raw, '\\"n', where);
          rest = rest.slice(all.length);
        }
      }
      const f = enter(name, where);
      f.sawSample = true;
      const id = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
      if (series.has(id)) throw new Error(`${where}: series twice`);
      series.add(id);
      f.samples.push({ labels, value: Number(value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : value) });
    });
  return families;
}
