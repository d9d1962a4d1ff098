import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sizeHeapsForBatch } from './heap.js';
import { type ChunkResult, type Outcome, processChunk, type SignContext, type WorkPart } from './sign-item.js';

/**
 * Processes batch rows (parse, validate, sign) on worker threads (one per core by default) so that ES256 signing, the
 * dominant cost, uses every core; with zero workers it signs on the calling thread.
 */
export class SigningPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (c: ChunkResult) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  /** Output buffers whose lines are on disk, handed back to the workers to write the next chunks into. */
  private readonly spares: ArrayBuffer[] = [];

  constructor(
    private readonly ctx: SignContext,
    size: number,
  ) {
    const script = workerScript();
    if (size > 0) sizeHeapsForBatch();
    for (let i = 0; i < size; i++) {
      // Bounded heaps: a worker holds one chunk at a time, and without limits V8 grows each
      // isolate's young generation and old space freely on a machine with plenty of memory.
      const worker = new Worker(script, { workerData: ctx, resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 } });
      worker.on('message', (msg: { id: number; results?: Outcome[]; output?: Uint8Array; error?: string }) => {
        const waiter = this.pending.get(msg.id);
        if (!waiter) return;
        this.pending.delete(msg.id);
        if (msg.results && msg.output) waiter.resolve({ outcomes: msg.results, output: msg.output });
        else waiter.reject(new Error(msg.error ?? 'signing failed'));
      });
      worker.on('error', (e) => {
        for (const w of this.pending.values()) w.reject(e);
        this.pending.clear();
      });
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Processes a chunk's rows, split evenly across the workers: each gets its rows' bytes as its own
   * buffer, transferred (no copy on the way). Resolves with one result per worker's share, in
   * input order; each share's output ranges refer to its own buffer.
   */
  async process(chunk: WorkPart): Promise<ChunkResult[]> {
    if (this.workers.length === 0) return [processChunk(this.ctx, chunk)];
    const { items } = chunk;
    const per = Math.ceil(items.length / this.workers.length);
    const parts = this.workers.map((worker, i) => {
      const slice = items.slice(i * per, (i + 1) * per);
      const first = slice[0];
      const last = slice[slice.length - 1];
      if (!first || !last) return Promise.resolve<ChunkResult>({ outcomes: [], output: new Uint8Array(0) });
      // The share's rows are contiguous in the chunk's buffer: copy that range into a buffer of its own.
      const bytes = new Uint8Array(last.end - first.start);
      bytes.set(chunk.bytes.subarray(first.start, last.end));
      const part: WorkPart = {
        format: chunk.format,
        ...(chunk.header ? { header: chunk.header } : {}),
        bytes,
        items: slice.map((item) => ({ ...item, start: item.start - first.start, end: item.end - first.start })),
      };
      const id = this.nextId++;
      return new Promise<ChunkResult>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        const spare = this.spares.pop();
        const transfer: ArrayBuffer[] = [bytes.buffer, ...(spare ? [spare] : [])];
        worker.postMessage({ id, part, ...(spare ? { spare } : {}) }, transfer);
      });
    });
    return Promise.all(parts);
  }

  /** Takes back a chunk's output once written: its memory is reused for a later chunk. */
  recycle(results: readonly ChunkResult[]): void {
    if (this.workers.length === 0) return;
    for (const { output } of results) {
      if (output.byteLength > 0 && this.spares.length < 2 * this.workers.length) this.spares.push(output.buffer as ArrayBuffer);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The compiled worker beside this module; when running from sources (tests), the built one in dist/. */
function workerScript(): URL {
  const sibling = new URL('./sign-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL('../../dist/batch/sign-worker.js', import.meta.url);
}
