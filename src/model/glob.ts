/**
 * Shell-style name patterns for POSIX objects (--name): * any run of
 * characters, ? one character, [abc] [a-z] [!abc] a set; a backslash takes
 * the next character literally. Matched against the whole name, without its
 * leading slash (a pattern may give one), in the escaped form names are shown in.
 */
import { UsageError } from './errors.js';

export function globMatcher(pattern: string): (name: string) => boolean {
  const p = pattern.startsWith('/') ? pattern.slice(1) : pattern;
  if (p === '') throw new UsageError('empty name pattern');
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '\\' && i + 1 < p.length) re += escapeRegExp(p[++i]!);
    else if (c === '[') {
      const close = p.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let set = p.slice(i + 1, close);
      const negate = set.startsWith('!') || set.startsWith('^');
      if (negate) set = set.slice(1);
      re += `[${negate ? '^' : ''}${set.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else re += escapeRegExp(c);
  }
  const matcher = new RegExp(`^${re}$`, 's');
  return (name) => matcher.test(name.startsWith('/') ? name.slice(1) : name);
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
