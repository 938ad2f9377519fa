/**
 * A one-line progress bar for long copies, redrawn in place (\r) on stderr at
 * most ten times a second: bar, percentage, bytes, rate and ETA. When the
 * total is unknown (a pipe into write) it shows bytes and rate only.
 */
import { humanSize } from './human.js';
import { two } from './time.js';

const MIN_INTERVAL_MS = 100;
/** The widest bar drawn, however wide the terminal says it is. */
const MAX_WIDTH = 500;

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

export class ProgressBar {
  readonly #total: number | null;
  readonly #write: (text: string) => void;
  readonly #width: number;
  readonly #started = Date.now();
  #last = 0;
  #shown = false;
  #done = 0;

  /** `total` null when unknown; `width` the terminal's columns. */
  constructor(total: number | null, write: (text: string) => void, width = 80) {
    this.#total = total;
    this.#write = write;
    // Whatever COLUMNS says (Infinity, 1e9, junk), a bar stays a line.
    this.#width = Number.isFinite(width) && width > 0 ? Math.min(Math.max(40, Math.floor(width)), MAX_WIDTH) : 80;
  }

  /** Bytes moved so far; redraws if enough time passed. */
  update(done: number): void {
    this.#done = done;
    const now = Date.now();
    if (now - this.#last < MIN_INTERVAL_MS) return;
    this.#last = now;
    this.#draw(now);
  }

  /** The final state, and a newline so the prompt starts clean. */
  finish(): void {
    this.#draw(Date.now());
    this.#write('\n');
  }

  /** Wipe the line (on failure, before the error line). */
  clear(): void {
    if (this.#shown) this.#write(`\r${' '.repeat(this.#width - 1)}\r`);
  }

  #draw(now: number): void {
    const seconds = Math.max((now - this.#started) / 1000, 1e-3);
    const rate = this.#done / seconds;
    const moved = humanSize(this.#done);
    let line: string;
    if (this.#total === null) {
      line = `${moved}  ${humanSize(Math.round(rate))}/s  ${clock(seconds)}`;
    } else {
      const fraction = this.#total ? Math.min(1, this.#done / this.#total) : 1;
      const tail = ` ${String(Math.floor(fraction * 100)).padStart(3)}%  ${moved}/${humanSize(this.#total)}  ${humanSize(Math.round(rate))}/s  ETA ${clock(
        rate > 0 ? (this.#total - this.#done) / rate : Infinity,
      )}`;
      const barWidth = Math.max(10, this.#width - tail.length - 3);
      const filled = Math.round(fraction * barWidth);
      line = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${tail}`;
    }
    this.#shown = true;
    this.#write(`\r${line.slice(0, this.#width - 1).padEnd(this.#width - 1)}`);
  }
}
