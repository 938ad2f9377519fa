/**
 * Shell-style name patterns for POSIX objects (--name), as fnmatch(3) reads
 * them — * any run of characters, ? one character, [abc] [a-z] [!abc] a set,
 * a backslash takes the next character literally, a [ without its ] is
 * itself — matched against the whole name without its leading slash (a
 * pattern may give one), in the escaped form names are shown in.
 */
import { fnmatch } from '../kernel/fnmatch.js';
import { UsageError } from '../model/errors.js';

export function globMatcher(pattern: string): (name: string) => boolean {
  const p = pattern.startsWith('/') ? pattern.slice(1) : pattern;
  if (p === '') throw new UsageError('empty name pattern');
  if (p.includes('\0') || fnmatch(p, '') === null) throw new UsageError(`invalid name pattern '${pattern}'`);
  return (name) => fnmatch(p, name.startsWith('/') ? name.slice(1) : name) === true;
}
