import { checkRequest, firstBlocker, readEnvironment } from '../../src/api/index.js';
import { UsageError } from '../../src/model/errors.js';
import { parseSize } from '../../src/model/parse.js';
import { writeAll } from '../../src/kernel/io.js';
import { bigJson, findingLines } from '../render/findings.js';
import { warn } from '../support/exit-status.js';
import type { CommandSpec, Options } from '../options/spec.js';

/** Would creating this succeed here? Every limit it meets, the first that stops it with its fix; exit 1 if one does. */
export const spec: CommandSpec = {
  name: 'check',
  summary: 'say whether creating segments or objects of a size would succeed here, and which limit would stop it',
  usage: 'check --size SIZE [--count N] [--hugetlb] [--noreserve] [--posix] [--lock-memory] [--json]',
  arguments: [],
  options: [
    { flags: '-s, --size <SIZE>', description: "each one's size (ipcmk's suffixes: K, M, G; KiB, KB…)" },
    { flags: '-c, --count <N>', description: 'how many (default 1)' },
    { flags: '--hugetlb', description: 'System V segments in huge pages (SHM_HUGETLB)' },
    { flags: '-M, --posix', description: 'POSIX objects in /dev/shm rather than System V segments' },
    {
      flags: '--noreserve',
      description: "System V segments with SHM_NORESERVE (create's --noreserve): not charged to the commit accounting",
    },
    { flags: '--lock-memory', description: 'locked in memory too (SHM_LOCK: RLIMIT_MEMLOCK)' },
    { flags: '-j, --json', description: 'as JSON: every limit met, whether it stops the request, its fix' },
  ],
  run(_args: string[], opts: Options): number {
    if (opts.size === undefined) throw new UsageError('give the size to check: --size SIZE');
    const size = parseSize(opts.size as string);
    const count = opts.count === undefined ? 1 : Number(opts.count);
    if (!Number.isSafeInteger(count) || count < 1 || !/^[0-9]+$/.test(String(opts.count ?? '1')))
      throw new UsageError(`invalid count '${String(opts.count)}'`);
    if (opts.posix === true && (opts.hugetlb === true || opts.noreserve === true))
      throw new UsageError('--hugetlb and --noreserve are for System V segments');
    const req = {
      size,
      count,
      hugetlb: opts.hugetlb === true,
      posix: opts.posix === true,
      lockMemory: opts.lockMemory === true,
      noreserve: opts.noreserve === true,
    };
    const findings = checkRequest(readEnvironment(), req);
    const blocker = firstBlocker(findings);
    if (opts.json === true) {
      writeAll(1, bigJson({ request: req, ok: blocker === null, stoppedBy: blocker?.limit ?? null, findings }));
    } else {
      const what = `${count} ${req.posix ? 'POSIX object' : 'segment'}${count === 1 ? '' : 's'} of ${size} bytes`;
      writeAll(
        1,
        [...findingLines(findings, { allFixes: false }), blocker ? `no: ${blocker.limit} stops ${what}` : `yes: ${what} would fit`].join(
          '\n',
        ) + '\n',
      );
    }
    if (blocker) warn('check', `${blocker.limit} stops it: ${blocker.message}`);
    return blocker ? 1 : 0;
  },
};
