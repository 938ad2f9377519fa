/**
 * The audit: shared memory that exposes data or code to other users (the
 * rules are model/audit.ts). What it reads: every segment and object of the
 * namespace with the processes holding each and their users, the lock sets,
 * the mount /dev/shm is on, two sysctls, and which processes run code from a
 * memfd or /dev/shm. What it cannot see (processes it may not read, hidden
 * ones) is said in its notes, never taken as "nothing there".
 */
import { RULES, type AuditFinding, type AuditRule, type Severity } from '../model/audit.js';
import { kindOf } from '../model/kinds.js';
import { formatKey, permsOf, SHM_DIR, type ShmRecord } from '../model/record.js';
import { unreadableText } from '../model/holder.js';
import type { LockColumn } from '../model/lock-state.js';
import { escapeBytes } from '../model/text.js';
import { readSysValue } from '../kernel/procfs.js';
import { listPids, mountOptionsOf, processOwner, readProcessStat, sharedMemoryCode } from '../kernel/processes.js';
import { indexHolders, indexHoldersAcross, type HolderIndex } from '../ops/holders.js';
import { list, lockStates } from '../ops/list.js';

export interface AuditReport {
  findings: AuditFinding[];
  /** What could not be checked, and why. */
  notes: string[];
}

/** Root and the system's users (below 1000, Debian's first ordinary uid): what daemons run as. Not nobody. */
const isSystemUser = (uid: number): boolean => uid < 1000;

/** The hint for what could not be read: running as root, unless we are. */
const asRoot = process.geteuid?.() === 0 ? '' : ' (run as root)';

const octal = (mode: number): string => '0' + (mode & 0o777).toString(8).padStart(3, '0');

function finding(
  id: string,
  subject: string,
  found: string,
  fix: string,
  namespace: number | null,
  raise?: [Severity, string],
): AuditFinding {
  const rule = RULES.find((r) => r.id === id) as AuditRule;
  return { kind: 'finding', rule: id, severity: raise?.[0] ?? rule.severity, subject, found, raised: raise?.[1] ?? null, fix, namespace };
}

/** "segment key 0x00001234", "segment id 5" (IPC_PRIVATE), "object /name". */
function subjectOf(r: ShmRecord): string {
  const kind = kindOf(r);
  const n = kind.names(r);
  return `${kind.noun} ${n.name ?? (n.key ? `key ${formatKey(n.key)}` : `id ${n.id}`)}`;
}

/** The argument that names it to our verbs: "5", "/name". */
function argOf(r: ShmRecord): string {
  const n = kindOf(r).names(r);
  return n.name ?? String(n.id);
}

/** The permission rules, raised where it is a live channel between users or a privileged owner's. */
function permissionFindings(r: ShmRecord, users: Set<number>, ns: number | null): AuditFinding[] {
  const perms = permsOf(r);
  const subject = subjectOf(r);
  const live = users.size > 1 ? `attached or mapped by processes of ${users.size} users: a live channel between them` : null;
  const privileged = isSystemUser(r.uid) ? `owned by ${r.uid === 0 ? 'root' : `system user ${r.uid}`}` : null;
  const why = [live, privileged].filter(Boolean).join('; ');
  const fix = (clear: number): string =>
    `shmctl-ts set ${argOf(r)} --mode ${octal(perms & ~clear)} (or have the program make it so), after checking who needs it`;
  const out: AuditFinding[] = [];
  const raise = (base: Severity, to: Severity): [Severity, string] | undefined => (why && base !== to ? [to, why] : undefined);
  if (perms & 0o002)
    out.push(
      finding('shm-world-writable', subject, `mode ${octal(perms)}: writable by every user`, fix(0o007), ns, raise('high', 'critical')),
    );
  else if (perms & 0o004)
    out.push(
      finding('shm-world-readable', subject, `mode ${octal(perms)}: readable by every user`, fix(0o007), ns, raise('medium', 'high')),
    );
  // the group's rights only where they are more than everybody's
  if (perms & 0o020 && !(perms & 0o002))
    out.push(
      finding('shm-group-writable', subject, `mode ${octal(perms)}: writable by group ${r.gid}`, fix(0o020), ns, raise('low', 'medium')),
    );
  else if (perms & 0o040 && !(perms & 0o024))
    out.push(
      finding('shm-group-readable', subject, `mode ${octal(perms)}: readable by group ${r.gid}`, fix(0o070), ns, raise('info', 'low')),
    );
  return out;
}

/** Segments and objects: permissions, owners against holders, fixed names of privileged programs, lock sets. */
function memoryFindings(
  records: readonly ShmRecord[],
  holders: HolderIndex,
  locks: ReadonlyMap<ShmRecord, LockColumn>,
  ns: number | null,
  notes: string[],
): AuditFinding[] {
  if (holders.unreadable.length) notes.push(`${unreadableText(holders.unreadable)}: what they hold is not known${asRoot}`);
  if (holders.hidden) notes.push(`${holders.hidden}: what they hold is not known`);
  const out: AuditFinding[] = [];
  for (const r of records) {
    const users = new Set<number>();
    for (const h of holders.of(r)) {
      const uid = processOwner(h.pid);
      if (uid !== null) users.add(uid);
    }
    out.push(...permissionFindings(r, users, ns));
    const subject = subjectOf(r);
    const others = [...users].filter((u) => u !== r.uid);
    if (others.length) {
      const privilegedHolder = others.some(isSystemUser) && !isSystemUser(r.uid);
      out.push(
        finding(
          'shm-owner-not-holder',
          subject,
          `owned by uid ${r.uid}, used by processes of uid ${others.join(', ')}`,
          `stop the programs, remove it (shmctl-ts rm ${argOf(r)}), and have the program make it afresh refusing one that exists (O_EXCL, IPC_EXCL); report it to the program's authors`,
          ns,
          privilegedHolder
            ? ['high', `a privileged process (uid ${others.filter(isSystemUser).join(', ')}) uses what an ordinary user owns`]
            : undefined,
        ),
      );
    }
    const n = kindOf(r).names(r);
    const fixed = n.name !== null || (n.key !== null && n.key !== 0);
    if (fixed && isSystemUser(r.uid) && [...users].some(isSystemUser)) {
      out.push(
        finding(
          'shm-squattable-name',
          subject,
          `${n.name ? `name ${n.name}` : `key ${formatKey(n.key!)}`} of a program running as uid ${[...users].filter(isSystemUser).join(', ')}`,
          "the program should make it with O_EXCL / IPC_EXCL and refuse one that exists (or use memfd_create or IPC_PRIVATE); report it to the program's authors",
          ns,
        ),
      );
    }
    if (locks.get(r) === 'untrusted')
      out.push(
        finding(
          'untrusted-lock-set',
          subject,
          'a semaphore set at its lock key was made by a user who is neither root, its owner nor its creator',
          `find who made it (shmctl-ts stat ${argOf(r)}; ipcs -s -c) and remove it (ipcrm -s SEMID) once nobody uses it`,
          ns,
        ),
      );
  }
  return out;
}

/** /dev/shm's mount options, as the process `pid` (a container's) or we see them. */
function mountFindings(pid: number | 'self', ns: number | null, notes: string[]): AuditFinding[] {
  const mount = mountOptionsOf(pid, SHM_DIR);
  if (!mount) {
    notes.push(`the mounts of ${pid === 'self' ? 'this process' : `pid ${pid}`} could not be read: /dev/shm's options not checked`);
    return [];
  }
  const where = pid === 'self' ? SHM_DIR : `${SHM_DIR} of pid ${pid}`;
  const on = mount.point === SHM_DIR ? `${mount.fstype} on ${SHM_DIR}` : `${SHM_DIR} is on ${mount.point} (${mount.fstype})`;
  const fix = (opt: string): string =>
    `mount -o remount,${opt} ${mount.point}${pid === 'self' ? '' : " (inside the container: its runtime's mount options for /dev/shm)"}; and in /etc/fstab: tmpfs /dev/shm tmpfs defaults,nodev,nosuid,noexec 0 0`;
  const out: AuditFinding[] = [];
  for (const opt of ['nodev', 'nosuid', 'noexec'])
    if (!mount.options.includes(opt))
      out.push(finding(`devshm-${opt}`, `mount ${where}`, `${on}: options ${mount.options.join(',')}`, fix(opt), ns));
  return out;
}

/** The two sysctls: vm.memfd_noexec (machine) and kernel.shm_rmid_forced (the IPC namespace's). */
function sysctlFindings(ns: number | null, machine: boolean, notes: string[]): AuditFinding[] {
  const out: AuditFinding[] = [];
  const rmid = readSysValue('kernel/shm_rmid_forced');
  if (rmid === 0n)
    out.push(
      finding(
        'sysctl-shm-rmid-forced',
        'sysctl kernel.shm_rmid_forced',
        'kernel.shm_rmid_forced = 0',
        'sysctl -w kernel.shm_rmid_forced=1 (a segment is then removed once no process has it attached and its creator is gone: check first that no program keeps one unattached on purpose)',
        ns,
      ),
    );
  if (!machine) return out;
  const memfd = readSysValue('vm/memfd_noexec');
  if (memfd === null) notes.push('vm.memfd_noexec is not there (a kernel before 6.3): memfds can always be made executable');
  else if (memfd === 0n)
    out.push(
      finding(
        'sysctl-memfd-noexec',
        'sysctl vm.memfd_noexec',
        'vm.memfd_noexec = 0: a memfd is executable unless its maker asks otherwise',
        'sysctl -w vm.memfd_noexec=1 (memfds not executable unless asked: MFD_EXEC), or 2 (never)',
        null,
      ),
    );
  return out;
}

/** Processes whose executable or an executable mapping is a memfd, a /dev/shm file or a segment. */
function codeFindings(notes: string[]): AuditFinding[] {
  const out: AuditFinding[] = [];
  const unreadable: number[] = [];
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    const code = sharedMemoryCode(pid);
    if (code === 'gone') continue;
    if (code === 'unreadable') {
      unreadable.push(pid);
      continue;
    }
    if (!code.exe && !code.mapping) continue;
    const comm = readProcessStat(pid)?.comm;
    const name = comm ? escapeBytes(comm) : '?';
    const what = code.exe
      ? `runs ${escapeBytes(Buffer.from(code.exe, 'latin1'))}`
      : `maps ${escapeBytes(Buffer.from(code.mapping!, 'latin1'))} executable`;
    out.push(
      finding(
        'exec-from-shared-memory',
        `process ${name}`,
        `pid ${pid} (${name}, uid ${processOwner(pid) ?? '?'}) ${what}`,
        `find what started it (ps -o pid,ppid,user,args -p ${pid}; ls -l /proc/${pid}/exe) and stop it if it is not yours to run; mount /dev/shm noexec and set vm.memfd_noexec`,
        null,
        code.exe ? undefined : ['medium', 'an executable mapping, not its program: some JIT compilers do this too'],
      ),
    );
  }
  if (unreadable.length) notes.push(`${unreadableText(unreadable)}: the code they run was not checked${asRoot}`);
  return out;
}

interface AuditOptions {
  pid: number | 'self' | null;
  namespace: number | null;
  machine: boolean;
  /** false: its /dev/shm is one audited already, or none we may reach (--all-namespaces): its objects are not listed. */
  objects?: boolean;
}

/** A namespace audited but for what needs its records' holders, which one pass over /proc gives every namespace. */
interface PendingAudit {
  /** The namespace's inode (null: ours). */
  inode: number | null;
  records: ShmRecord[];
  finish(holders: HolderIndex): AuditReport;
}

/**
 * Audit this IPC namespace (and its /dev/shm, as the process `pid` sees its
 * mounts), with the machine-wide checks when `machine`.
 */
export function auditNamespace(opts: AuditOptions): AuditReport {
  const pending = gatherAudit(opts);
  return pending.finish(indexHolders(pending.records, { fds: true }));
}

/**
 * auditNamespace, less what needs the holders: what only the namespace itself shows (its segments, objects, lock
 * sets and shm_rmid_forced) is read here, inside it; the rest when finished, back home (--all-namespaces).
 */
export function gatherAudit(opts: AuditOptions): PendingAudit {
  const first: string[] = [];
  // a namespace known by its file alone has no /dev/shm we can reach
  if (opts.pid === null) first.push('no process of the namespace given: its /dev/shm (objects, mount options) not checked');
  const records = list({ kind: opts.pid !== null && opts.objects !== false ? 'all' : 'sysv', usage: false });
  const lockOf = lockStates('sysv');
  const locks = new Map(records.map((r) => [r, lockOf(r)]));
  const later: string[] = [];
  const rest = [
    ...(opts.pid === null ? [] : mountFindings(opts.pid, opts.namespace, later)),
    ...sysctlFindings(opts.namespace, opts.machine, later),
  ];
  return {
    inode: opts.namespace,
    records,
    finish: (holders) => {
      const memory: string[] = [];
      const code: string[] = [];
      const findings = [
        ...memoryFindings(records, holders, locks, opts.namespace, memory),
        ...rest,
        ...(opts.machine ? codeFindings(code) : []),
      ];
      return { findings, notes: [...first, ...memory, ...later, ...code] };
    },
  };
}

/** Every gathered namespace finished from one pass over /proc for all of them (not one pass each). */
export function finishAudits(pending: readonly PendingAudit[]): AuditReport[] {
  const indexes = indexHoldersAcross(
    pending.map((p) => ({ inode: p.inode, records: p.records })),
    { fds: true },
  );
  return pending.map((p, i) => p.finish(indexes[i]!));
}
