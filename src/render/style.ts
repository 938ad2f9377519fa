/**
 * Colour for terminal views, loaded only when a terminal view is drawn. Off
 * when not asked for, and always off under NO_COLOR (https://no-color.org).
 */
import type { ChalkInstance } from 'chalk';

export async function loadChalk(color: boolean): Promise<ChalkInstance> {
  const { Chalk, default: detected } = await import('chalk');
  const noColor = (process.env.NO_COLOR ?? '') !== '';
  return new Chalk({ level: color && !noColor ? detected.level || 1 : 0 });
}
