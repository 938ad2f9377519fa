/** ls's filters, which gc (and every command that chooses what to show) shares: options → the API's Selection. */
import type { Selection } from '../../src/api/index.js';
import type { KindChoice } from '../../src/model/record.js';
import { parseDuration, parseId, parseKey } from '../../src/model/parse.js';
import { parseUser } from '../../src/kernel/names.js';
import type { OptionSpec, Options } from './spec.js';

/** Which kind: System V (the default), POSIX objects, or both. */
export const kindOptions: OptionSpec[] = [
  { flags: '--sysv', description: 'System V segments (the default)', sets: { key: 'kind', value: 'sysv' } },
  {
    flags: '-M, --posix',
    description: 'POSIX shared memory objects (/dev/shm) instead of System V segments',
    sets: { key: 'kind', value: 'posix' },
  },
  { flags: '-A, --all', description: 'System V segments and POSIX objects in one view', sets: { key: 'kind', value: 'all' } },
  {
    flags: '--memfd',
    description: 'memfds (memfd_create) that processes hold open or mapped, each once, with its holders',
    sets: { key: 'kind', value: 'memfd' },
  },
  {
    flags: '--deleted',
    description: 'tmpfs files (such as /dev/shm objects) removed but still mapped or open',
    sets: { key: 'kind', value: 'deleted' },
  },
  {
    flags: '--anon',
    description: 'shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS, shared across fork)',
    sets: { key: 'kind', value: 'anon' },
  },
  { flags: '--held', description: 'memfds, deleted files and shared anonymous memory together', sets: { key: 'kind', value: 'held' } },
  { flags: '--every', description: 'every kind: --all and --held in one view', sets: { key: 'kind', value: 'every' } },
];

export const filterOptions: OptionSpec[] = [
  { flags: '--key <KEY>', description: 'only the segment with this key (repeatable)', repeatable: true },
  { flags: '--id <ID>', description: 'only the segment with this id (repeatable)', repeatable: true },
  { flags: '--owner <USER>', description: 'only what USER owns (name or uid)' },
  { flags: '--created-by <USER>', description: 'only segments created by USER (name or uid; POSIX objects: their owner)' },
  {
    flags: '--unattached',
    description: 'only what no process attaches, maps or has open (segments: nattch 0; objects: from /proc)',
  },
  {
    flags: '--creator-dead',
    description: "only segments whose creator is gone, or whose creator's pid now belongs to a newer process",
  },
  { flags: '--older-than <DURATION>', description: 'only what last changed (ctime) at least DURATION ago: 90s, 2h, 7d, 1h30m' },
  { flags: '--name <GLOB>', description: 'only POSIX objects whose name matches GLOB (* ? [...]; quote it from the shell)' },
];

export function askedKind(opts: Options): KindChoice {
  return (opts.kind as KindChoice | undefined) ?? 'sysv';
}

/** The filters given, parsed (every value checked before anything is read). */
export function selectionOf(opts: Options): Selection {
  const s: Selection = {};
  const keys = ((opts.key as string[] | undefined) ?? []).map(parseKey);
  const ids = ((opts.id as string[] | undefined) ?? []).map(parseId);
  if (keys.length) s.keys = keys;
  if (ids.length) s.ids = ids;
  if (opts.owner !== undefined) s.owner = parseUser(opts.owner as string);
  if (opts.createdBy !== undefined) s.creator = parseUser(opts.createdBy as string);
  if (opts.unattached === true) s.unattached = true;
  if (opts.creatorDead === true) s.creatorDead = true;
  if (opts.olderThan !== undefined) s.olderThan = parseDuration(opts.olderThan as string);
  if (opts.name !== undefined) s.name = opts.name as string;
  return s;
}
