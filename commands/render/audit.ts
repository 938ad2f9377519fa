/**
 * The audit's findings: lines for people, JSON, and SARIF 2.1.0 for code
 * scanning dashboards (one run, every rule in the tool's driver, each result
 * at a logical location: what it is about is a segment, an object, a mount,
 * a sysctl or a process, never a line of source).
 */
import { RULES, SEVERITIES, ruleNamed, type AuditFinding, type Severity } from '../../src/model/audit.js';
import { terminalSafe } from '../../src/model/text.js';
import { loadChalk } from './style.js';

const bySeverity = (a: AuditFinding, b: AuditFinding): number => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity);

/** "3 findings: 1 critical, 2 low" (and what was ignored). */
function summaryLine(findings: AuditFinding[], ignored: number): string {
  const counts = SEVERITIES.slice()
    .reverse()
    .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const n = findings.length;
  const head = n === 0 ? 'no findings' : `${n} finding${n === 1 ? '' : 's'}: ${counts.join(', ')}`;
  return ignored ? `${head} (${ignored} ignored)` : head;
}

export function auditLines(findings: AuditFinding[], notes: string[], ignored: number): string {
  const lines: string[] = [];
  for (const f of [...findings].sort(bySeverity)) {
    const rule = ruleNamed(f.rule)!;
    const ns = f.namespace === null ? '' : ` (IPC namespace ${f.namespace})`;
    lines.push(`${f.severity.padEnd(8)} ${f.rule}: ${f.subject}${ns}`);
    lines.push(`         found: ${f.found}`);
    if (f.raised) lines.push(`         raised: ${f.raised}`);
    lines.push(`         why: ${rule.why} (${[rule.cwe, ...rule.references].join('; ')})`);
    lines.push(`         fix: ${f.fix}`);
  }
  for (const n of notes) lines.push(`note: ${n}`);
  lines.push(summaryLine(findings, ignored));
  return lines.map(terminalSafe).join('\n') + '\n';
}

/**
 * On a terminal: a table of the findings, numbered, most severe first (severity
 * in colour), then each one's why and fix by its number, the notes and the count.
 */
export async function auditTable(findings: AuditFinding[], notes: string[], ignored: number, color: boolean): Promise<string> {
  const [{ renderTable }, chalk] = await Promise.all([import('./table.js'), loadChalk(color)]);
  const sorted = [...findings].sort(bySeverity);
  const paint: Record<Severity, (s: string) => string> = {
    critical: (s) => chalk.red.bold(s),
    high: (s) => chalk.red(s),
    medium: (s) => chalk.yellow(s),
    low: (s) => s,
    info: (s) => chalk.dim(s),
  };
  const number = new Map(sorted.map((f, i) => [f, i + 1]));
  let out = '';
  if (sorted.length) {
    const table = await renderTable(
      sorted,
      [
        { header: '#', right: true, cell: (f) => String(number.get(f)) },
        { header: 'severity', cell: (f) => f.severity },
        { header: 'rule', cell: (f) => f.rule },
        { header: 'subject', cell: (f) => (f.namespace === null ? f.subject : `${f.subject} (ipc:[${f.namespace}])`) },
        { header: 'found', cell: (f) => f.found },
      ],
      { color, noun: 'finding' },
    );
    // the table's own count line is replaced by ours (with the severities) at the end
    out += table.replace(/\n[^\n]*\n$/, '\n');
    for (const f of sorted) {
      const rule = ruleNamed(f.rule)!;
      const raised = f.raised ? ` (${terminalSafe(f.raised)})` : '';
      out += `${number.get(f)}. ${paint[f.severity](f.severity)}${raised}: ${terminalSafe(`${rule.why} (${[rule.cwe, ...rule.references].join('; ')})`)}\n`;
      out += `   fix: ${terminalSafe(f.fix)}\n`;
    }
  }
  for (const n of notes) out += `note: ${terminalSafe(n)}\n`;
  return out + chalk.bold(summaryLine(findings, ignored)) + '\n';
}

/** A finding with its rule's words, for JSON. */
const withRule = (f: AuditFinding): object => {
  const rule = ruleNamed(f.rule)!;
  return { ...f, kind: undefined, title: rule.title, why: rule.why, cwe: rule.cwe, references: rule.references };
};

export function auditJson(findings: AuditFinding[], notes: string[], ignored: number, failOn: Severity, failed: boolean): string {
  return JSON.stringify({ findings: [...findings].sort(bySeverity).map(withRule), ignored, notes, failOn, ok: !failed }, null, 2) + '\n';
}

/** SARIF's level, and GitHub's security-severity score (over 9 critical, 7 high, 4 medium, else low). */
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};
const SCORE: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

export function auditSarif(findings: AuditFinding[], notes: string[], toolVersion: string): string {
  const rules = RULES.map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|-)(\w)/g, (_, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: r.title },
    fullDescription: { text: `${r.title}: ${r.why}.` },
    help: { text: `${r.why}. ${r.cwe}${r.references.length ? `; see ${r.references.join('; ')}` : ''}.` },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags: ['security', r.cwe], precision: 'high', 'security-severity': SCORE[r.severity] },
  }));
  const results = [...findings].sort(bySeverity).map((f) => ({
    ruleId: f.rule,
    ruleIndex: RULES.findIndex((r) => r.id === f.rule),
    level: LEVEL[f.severity],
    message: { text: `${f.subject}: ${f.found}.${f.raised ? ` Raised to ${f.severity}: ${f.raised}.` : ''} Fix: ${f.fix}` },
    locations: [
      {
        logicalLocations: [
          { name: f.subject, fullyQualifiedName: f.namespace === null ? f.subject : `ipc:[${f.namespace}] ${f.subject}`, kind: 'resource' },
        ],
      },
    ],
    partialFingerprints: { 'shmctlTsSubject/v1': `${f.rule} ${f.namespace ?? ''} ${f.subject}` },
    properties: { severity: f.severity, 'security-severity': SCORE[f.severity], fix: f.fix },
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'shmctl-ts', version: toolVersion, rules } },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: notes.map((n) => ({ level: 'note', message: { text: n } })),
          },
        ],
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
