import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import {
  auditNamespace,
  enteredNamespace,
  finishAudits,
  gatherAudit,
  inEachNamespace,
  ipcNamespaces,
  type AuditReport,
} from '../../src/api/index.js';
import { atLeast, ruleNamed, RULES, SEVERITIES, type AuditFinding, type Severity } from '../../src/model/audit.js';
import { ShmError, UsageError } from '../../src/model/errors.js';
import { writeAll } from '../../src/kernel/io.js';
import { auditJson, auditLines, auditSarif, auditTable } from '../render/audit.js';
import { stdoutIsTTY } from '../options/common.js';
import { warn } from '../support/exit-status.js';
import { version } from '../support/version.js';
import type { CommandSpec, Options } from '../options/spec.js';

/** What an ignore file or --ignore accepts: a rule everywhere, or a rule for one subject. */
interface Accepted {
  rule: string;
  subject: string | null;
}

function knownRule(id: string, where: string): string {
  if (!ruleNamed(id)) throw new UsageError(`${where}: no rule '${id}' (shmctl-ts audit --help lists them)`);
  return id;
}

/** An ignore file: "RULE" or "RULE SUBJECT" a line (the subject as the audit prints it), # comments. */
function readIgnoreFile(path: string): Accepted[] {
  let text: string;
  let fd: number | undefined;
  try {
    // never waits: a FIFO planted in its place is refused, not read forever
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) throw new UsageError(`${path}: not a regular file (an ignore file is a list of rules)`);
    text = readFileSync(fd, 'utf8');
  } catch (e) {
    throw e instanceof UsageError ? e : ShmError.fromNode(e, path);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const accepted: Accepted[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const [rule, ...rest] = line.split(/\s+/);
    accepted.push({ rule: knownRule(rule!, `${path}:${i + 1}`), subject: rest.length ? line.slice(rule!.length).trim() : null });
  });
  return accepted;
}

/** Audit the namespace we are in (--ns: the one entered), or with --all-namespaces each one this user may enter. */
function gather(all: boolean): AuditReport {
  if (!all) {
    const entered = enteredNamespace();
    const pid = entered ? (entered.pid > 0 ? entered.pid : null) : 'self';
    return auditNamespace({ pid, namespace: entered?.inode ?? null, machine: true });
  }
  const { namespaces, unreadable } = ipcNamespaces();
  const own = namespaces[0]?.inode;
  // a namespace sharing a /dev/shm audited already (or with none we may reach) has its segments audited, not its
  // objects; each namespace read inside it, then every one's holders from one pass over /proc, back home
  const { results: gathered, refused } = inEachNamespace(namespaces, (tag, objects) =>
    gatherAudit({ pid: tag.inode === own ? 'self' : tag.pid, namespace: tag.inode, machine: tag.inode === own, objects }),
  );
  const results = finishAudits(gathered);
  const notes = results.flatMap((r) => r.notes);
  if (refused) notes.push(`${refused} IPC namespace${refused === 1 ? '' : 's'} could not be entered (that needs root): not checked`);
  if (unreadable) notes.push(`the namespaces of ${unreadable} processes could not be read: not checked`);
  return { findings: results.flatMap((r) => r.findings), notes };
}

export const spec: CommandSpec = {
  name: 'audit',
  summary: 'find shared memory that exposes data or code to other users, with the fix for each finding (table, JSON or SARIF)',
  usage: 'audit [--fail-on SEVERITY] [--ignore RULE]... [--ignore-file FILE] [--json | --sarif] [--all-namespaces]',
  arguments: [],
  options: [
    {
      flags: '--fail-on <SEVERITY>',
      description: 'exit 1 when a finding at or above this is found (default high)',
      choices: [...SEVERITIES],
    },
    {
      flags: '--ignore <RULE>',
      description: `leave out this rule's findings (repeatable); the rules: ${RULES.map((r) => r.id).join(', ')}`,
      repeatable: true,
    },
    { flags: '--ignore-file <FILE>', description: 'findings accepted: "RULE" or "RULE SUBJECT" a line, # comments' },
    { flags: '-j, --json', description: 'the findings as JSON' },
    { flags: '--sarif', description: 'the findings as SARIF 2.1.0, for code scanning dashboards' },
    { flags: '-N, --all-namespaces', description: 'every IPC namespace this user may enter, and its /dev/shm' },
  ],
  async run(_args: string[], opts: Options): Promise<number> {
    if (opts.json === true && opts.sarif === true) throw new UsageError('--json and --sarif: give one');
    if (opts.allNamespaces === true && opts.ns !== undefined)
      throw new UsageError('--all-namespaces audits every namespace: not with --ns');
    const failOn = (opts.failOn as Severity | undefined) ?? 'high';
    const accepted: Accepted[] = ((opts.ignore as string[] | undefined) ?? []).map((r) => ({
      rule: knownRule(r, '--ignore'),
      subject: null,
    }));
    if (opts.ignoreFile !== undefined) accepted.push(...readIgnoreFile(opts.ignoreFile as string));
    const report = gather(opts.allNamespaces === true);
    const isAccepted = (f: AuditFinding): boolean =>
      accepted.some((a) => a.rule === f.rule && (a.subject === null || a.subject === f.subject));
    const findings = report.findings.filter((f) => !isAccepted(f));
    const ignored = report.findings.length - findings.length;
    const failing = findings.filter((f) => atLeast(f.severity, failOn));
    if (opts.sarif === true) writeAll(1, auditSarif(findings, report.notes, version()));
    else if (opts.json === true) writeAll(1, auditJson(findings, report.notes, ignored, failOn, failing.length > 0));
    else if (stdoutIsTTY()) writeAll(1, await auditTable(findings, report.notes, ignored, true));
    else writeAll(1, auditLines(findings, report.notes, ignored));
    if (!failing.length) return 0;
    warn('audit', `${failing.length} finding${failing.length === 1 ? '' : 's'} at ${failOn} or above`);
    return 1;
  },
};
