/**
 * Colour for terminal views, loaded only when a terminal view is drawn.
 *
 * The rules, first match wins:
 *   1. NO_COLOR set and not empty (https://no-color.org): no colour.
 *   2. FORCE_COLOR set: 0 or false means no colour; 1, 2 or 3 (or empty, or
 *      true) colour at that level (1: 16 colours), even where the view is
 *      not on a terminal (--format table into a pipe).
 *   3. TERM=dumb: no colour.
 *   4. Otherwise colour when the view is drawn on a terminal.
 */
import type { ChalkInstance } from 'chalk';

type Level = 0 | 1 | 2 | 3;

/** The colour level the environment asks for a view that is (or is not) on a terminal. */
export function colorLevel(onTerminal: boolean, env: NodeJS.ProcessEnv = process.env): Level | 'detect' {
  if ((env.NO_COLOR ?? '') !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force.toLowerCase() === 'false') return 0;
    const n = Number(force);
    return n === 2 || n === 3 ? n : 1;
  }
  if (env.TERM === 'dumb') return 0;
  return onTerminal ? 'detect' : 0;
}

export async function loadChalk(onTerminal: boolean): Promise<ChalkInstance> {
  const level = colorLevel(onTerminal);
  const { Chalk, default: detected } = await import('chalk');
  return new Chalk({ level: level === 'detect' ? detected.level || 1 : level });
}
