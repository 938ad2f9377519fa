import { checkRequest, readEnvironment, standingProblems, type Finding } from '../../src/api/index.js';
import { parseSize } from '../../src/model/parse.js';
import { writeAll } from '../../src/kernel/io.js';
import { bigJson, environmentLines, findingLines } from '../render/findings.js';
import { warn } from '../support/exit-status.js';
import type { CommandSpec, Options } from '../options/spec.js';

/**
 * Everything that decides whether shared memory can be had here, and what
 * would stop it: limits and their use, /dev/shm, the container and its
 * cgroup, RLIMIT_MEMLOCK, huge pages, RemoveIPC. For each problem (or each
 * limit --need SIZE would meet) the exact fix. It changes nothing.
 */
export const spec: CommandSpec = {
  name: 'doctor',
  summary: 'report the limits on shared memory here and what would stop it, with the fix for each problem',
  usage: 'doctor [--need SIZE] [--json]',
  arguments: [],
  options: [
    { flags: '-n, --need <SIZE>', description: 'also judge one segment and one POSIX object of SIZE: exit 1 if either could not be made' },
    { flags: '-j, --json', description: 'as JSON: the environment, the problems, and with --need the verdicts' },
  ],
  run(_args: string[], opts: Options): number {
    const size = opts.need === undefined ? null : parseSize(opts.need as string);
    const env = readEnvironment();
    const problems = standingProblems(env);
    const need =
      size === null
        ? null
        : {
            size,
            sysv: checkRequest(env, { size, count: 1, hugetlb: false, posix: false, lockMemory: false }),
            posix: checkRequest(env, { size, count: 1, hugetlb: false, posix: true, lockMemory: false }),
          };
    const blocked = (fs: Finding[]): boolean => fs.some((f) => f.blocks);
    const bad = problems.length > 0 || (need !== null && (blocked(need.sysv) || blocked(need.posix)));
    // a failing status always comes with its one line on stderr (the report itself is on stdout)
    const verdict = (): number => {
      if (bad) warn('doctor', `something stands in the way of shared memory here${opts.json === true ? '' : ' (see above)'}`);
      return bad ? 1 : 0;
    };
    if (opts.json === true) {
      writeAll(1, bigJson({ environment: env, problems, need, ok: !bad }));
      return verdict();
    }
    const lines = environmentLines(env);
    if (problems.length) lines.push('', 'problems:', ...findingLines(problems, { allFixes: true }));
    if (need) {
      lines.push('', `a segment of ${need.size} bytes:`, ...findingLines(need.sysv, { allFixes: false }));
      lines.push('', `a POSIX object of ${need.size} bytes:`, ...findingLines(need.posix, { allFixes: false }));
    }
    if (!bad) lines.push('', 'nothing stands in the way');
    writeAll(1, lines.join('\n') + '\n');
    return verdict();
  },
};
