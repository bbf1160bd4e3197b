export interface Progress {
  /** Reports that `done` of the total units are finished. Cheap to call often. */
  update(done: number): void;
  /** Prints the final line (with the elapsed time) and ends it. */
  done(): void;
}

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 100;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * One progress line for long CLI tasks. On a terminal it redraws in place (at most every
 * 100 ms); otherwise (logs, CI) it prints a line at each 10 % step, so logs stay short.
 */
export function createProgress(label: string, total: number, stream: ProgressStream = process.stderr, now: () => number = Date.now): Progress {
  const started = now();
  const tty = stream.isTTY === true;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastStep = -1;
  let current = 0;
  let finished = false;

  const line = (done: number) => {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const percent = Math.floor(fraction * 100);
    const elapsed = now() - started;
    const rate = elapsed > 0 ? Math.round((done / elapsed) * 1000) : 0;
    const counts = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
    if (!tty) return `${label}: ${percent}% ${counts} (${seconds(elapsed)})`;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    return `${label} ${bar} ${String(percent).padStart(3)}% ${counts} ${rate.toLocaleString('en-US')}/s ${seconds(elapsed)}`;
  };

  const draw = (text: string) => {
    // Clear to end of line so a shorter redraw leaves no tail of the previous one.
    stream.write(`\r${text}\x1b[K`);
  };

  return {
    update(done: number) {
      if (finished) return;
      current = done;
      if (tty) {
        const t = now();
        if (t - lastDraw < REDRAW_MS && done < total) return;
        lastDraw = t;
        draw(line(done));
        return;
      }
      const step = total > 0 ? Math.floor((Math.min(done, total) / total) * 10) : 10;
      if (step > lastStep && step < 10) {
        lastStep = step;
        stream.write(`${line(done)}\n`);
      }
    },
    done() {
      if (finished) return;
      finished = true;
      const text = `${line(Math.max(current, total))} done`;
      if (tty) draw(text);
      stream.write(tty ? '\n' : `${text}\n`);
    },
  };
}
