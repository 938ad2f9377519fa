/**
 * The audit's rules and findings: shared memory that exposes data or code to
 * other users. Each rule has a stable id (what --ignore, ignore files and
 * SARIF name it by), a severity, the weakness it is (CWE) and, where one
 * fits, the CVE or CIS item that shows it is real. diagnose/audit.ts finds
 * them; the renderers show them.
 */

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Is `s` at `floor` or above? */
export const atLeast = (s: Severity, floor: Severity): boolean => SEVERITIES.indexOf(s) >= SEVERITIES.indexOf(floor);

export interface AuditRule {
  id: string;
  /** One line: what is wrong. */
  title: string;
  /** The severity when nothing raises it. */
  severity: Severity;
  /** Why it matters. */
  why: string;
  cwe: string;
  /** CVEs and CIS items that show the same weakness (none invented where none fits). */
  references: string[];
}

const PERMS_REFS = [
  'CVE-2026-34352 (TigerVNC x0vncserver: screen segment mode 0777)',
  'CVE-2020-29074 (x11vnc: segment mode 0777)',
  'CVE-2013-0254 (Qt QSharedMemory: world-accessible segments)',
];
const CIS_DEVSHM = 'CIS Linux benchmarks: "Ensure nodev, nosuid and noexec options set on /dev/shm"';

export const RULES: AuditRule[] = [
  {
    id: 'shm-world-writable',
    title: 'shared memory any user may write',
    severity: 'high',
    why: 'any local user can change what the programs using it read: forged input, crashes, code paths taken on attacker data',
    cwe: 'CWE-732',
    references: PERMS_REFS,
  },
  {
    id: 'shm-world-readable',
    title: 'shared memory any user may read',
    severity: 'medium',
    why: 'any local user can read what is in it (screens, keys, messages, database pages)',
    cwe: 'CWE-732',
    references: PERMS_REFS,
  },
  {
    id: 'shm-group-writable',
    title: "shared memory its group's members may write",
    severity: 'low',
    why: "every member of the group can change it: check that the group is the program's own",
    cwe: 'CWE-732',
    references: [],
  },
  {
    id: 'shm-group-readable',
    title: "shared memory its group's members may read",
    severity: 'info',
    why: "every member of the group can read it: check that the group is the program's own",
    cwe: 'CWE-732',
    references: [],
  },
  {
    id: 'shm-owner-not-holder',
    title: 'a /dev/shm object owned by a user other than the processes that use it',
    severity: 'medium',
    why: 'somebody else made (or took) the name before the program opened it: its owner can read and change what the program shares, and swap it under it',
    cwe: 'CWE-283',
    references: [],
  },
  {
    id: 'shm-squattable-name',
    title: 'a fixed key or name of a privileged program, which a user could create first',
    severity: 'low',
    why: 'an unprivileged user who creates this key or name before the program starts owns what the program then uses, unless it refuses one that exists',
    cwe: 'CWE-377',
    references: [],
  },
  {
    id: 'devshm-nodev',
    title: '/dev/shm is mounted without nodev',
    severity: 'medium',
    why: 'a device file made in a world-writable directory gives access to the device it names',
    cwe: 'CWE-732',
    references: [CIS_DEVSHM],
  },
  {
    id: 'devshm-nosuid',
    title: '/dev/shm is mounted without nosuid',
    severity: 'medium',
    why: "a set-user-ID program placed in /dev/shm runs with its owner's rights",
    cwe: 'CWE-250',
    references: [CIS_DEVSHM],
  },
  {
    id: 'devshm-noexec',
    title: '/dev/shm is mounted without noexec',
    severity: 'low',
    why: 'programs can be run straight from shared memory, a favourite hiding place of fileless malware',
    cwe: 'CWE-732',
    references: [CIS_DEVSHM],
  },
  {
    id: 'sysctl-memfd-noexec',
    title: 'vm.memfd_noexec lets memfds be executable',
    severity: 'low',
    why: 'memfd_create(2) files can be made executable and run without touching a disk (fileless malware)',
    cwe: 'CWE-732',
    references: [],
  },
  {
    id: 'sysctl-shm-rmid-forced',
    title: 'kernel.shm_rmid_forced is 0: segments outlive every process that used them',
    severity: 'info',
    why: 'a segment left behind keeps its data readable by whoever its mode allows, long after its program is gone',
    cwe: 'CWE-459',
    references: [],
  },
  {
    id: 'exec-from-shared-memory',
    title: 'a process runs code from a memfd or /dev/shm',
    severity: 'high',
    why: 'code that never touched a disk is how fileless malware hides; few legitimate programs do it (some run a sealed copy of themselves from a memfd, as runc does against CVE-2019-5736): check what it is',
    cwe: 'CWE-506',
    references: [],
  },
  {
    id: 'untrusted-lock-set',
    title: 'a shmctl-ts lock set made by somebody not trusted',
    severity: 'medium',
    why: "a semaphore set at a segment's lock key made by another user lets that user hold, forge or break the segment's lock",
    cwe: 'CWE-667',
    references: [],
  },
];

export const ruleNamed = (id: string): AuditRule | undefined => RULES.find((r) => r.id === id);

export interface AuditFinding {
  kind: 'finding';
  rule: string;
  severity: Severity;
  /** What it is about, stable from run to run (an ignore file names it): "segment key 0x00001234", "/dev/shm/x", "sysctl vm.memfd_noexec". */
  subject: string;
  /** What was found, with the facts. */
  found: string;
  /** Why the severity is what it is, when raised above the rule's. */
  raised: string | null;
  /** The fix: a command, a mount option, a sysctl, or whom to report it to. */
  fix: string;
  /** The IPC namespace it was found in (--all-namespaces), or null. */
  namespace: number | null;
}
