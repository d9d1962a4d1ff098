import type { BatchProgress } from './engine.js';

export interface ProgressReporter {
  update(p: BatchProgress): void;
  done(): void;
}

/**
 * A progress bar with rate and ETA on a terminal (redrawn in place, to stderr), periodic plain
 * lines otherwise (every `intervalMs`), so logs of unattended runs stay readable.
 */
export function progressReporter(stream: NodeJS.WriteStream, options: { intervalMs?: number; now?: () => number } = {}): ProgressReporter {
  const now = options.now ?? Date.now;
  const start = now();
  const interval = options.intervalMs ?? (stream.isTTY ? 200 : 5000);
  let lastDraw = 0;
  let startLine: number | undefined;
  let latest: BatchProgress | undefined;

  const render = (p: BatchProgress): string => {
    const elapsed = Math.max((now() - start) / 1000, 0.001);
    startLine ??= p.line;
    const rate = (p.line - startLine) / elapsed;
    const total = Math.max(p.totalLines, p.line, 1);
    const share = Math.min(p.line / total, 1);
    const eta = rate > 0 ? (total - p.line) / rate : Number.NaN;
    const stats = `${fmt(p.line)}/${fmt(total)} lines  ${fmt(Math.round(rate))}/s  ETA ${clock(eta)}  issued ${fmt(p.issued)}  skipped ${fmt(p.skipped)}  errors ${fmt(p.errors)}`;
    if (!stream.isTTY) return `batch: ${(share * 100).toFixed(1)}%  ${stats}\n`;
    const width = 24;
    const filled = Math.round(share * width);
    return `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(1).padStart(5)}%  ${stats}\x1b[K`;
  };

  return {
    update(p) {
      latest = p;
      const t = now();
      if (t - lastDraw < interval) return;
      lastDraw = t;
      stream.write(render(p));
    },
    done() {
      if (latest) stream.write(render(latest));
      if (stream.isTTY) stream.write('\n');
    },
  };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
