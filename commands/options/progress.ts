/**
 * --progress / --no-progress for read and write: a bar on stderr when it is a
 * terminal and the copy moves more than 64 MiB (never on a pipe unless
 * --progress insists). A copy of unknown length (a pipe into write) shows it
 * once 64 MiB have gone by.
 */
import { writeAll } from '../../src/kernel/io.js';
import { ProgressBar } from '../render/progress.js';
import type { Progress } from '../../src/memory/transfer.js';
import { isTTY } from './common.js';
import type { OptionSpec, Options } from './spec.js';

const PROGRESS_THRESHOLD = 64 << 20;
/** Window size while a bar is shown: small enough for a smooth bar, large enough to cost nothing. */
const PROGRESS_CHUNK = 16 << 20;

export const progressOptions: OptionSpec[] = [
  {
    flags: '--progress',
    description: 'show a progress bar on stderr even when it is not a terminal or the copy is small',
    sets: { key: 'progressMode', value: 'on' },
  },
  { flags: '--no-progress', description: 'never show a progress bar', sets: { key: 'progressMode', value: 'off' } },
];

interface TransferProgress {
  /** For the copy loops. */
  tick: Progress;
  /** Window size to copy in. */
  chunk: number;
  /** After the copy: the final state and a newline, or the line wiped on failure. */
  end(ok: boolean): void;
}

/** The progress a copy of `total` bytes (null: unknown) should show, or null for none. */
export function progressFor(opts: Options, total: number | null): TransferProgress | null {
  const mode = opts.progressMode as 'on' | 'off' | undefined;
  if (mode === 'off') return null;
  const forced = mode === 'on';
  const tty = isTTY(2);
  if (!forced && (!tty || (total !== null && total <= PROGRESS_THRESHOLD))) return null;
  const width = (tty ? process.stderr.columns : 0) || Number(process.env.COLUMNS) || 80; // clamped by the bar
  const bar = new ProgressBar(total, (text) => writeAll(2, text), width);
  let shown = forced || total !== null;
  // A display never fails or cuts short the copy it shows: if drawing fails (stderr gone), it stops.
  const safely = (draw: () => void): void => {
    try {
      draw();
    } catch {
      shown = false;
      broken = true;
    }
  };
  let broken = false;
  return {
    chunk: PROGRESS_CHUNK,
    tick: (done) => {
      if (broken) return;
      if (!shown && done > PROGRESS_THRESHOLD) shown = true;
      if (shown) safely(() => bar.update(done));
    },
    end: (ok) => {
      if (!shown) return;
      safely(() => (ok ? bar.finish() : bar.clear()));
    },
  };
}
