import { parentPort, workerData } from 'node:worker_threads';
import { processChunk, type SignContext, type WorkPart } from './sign-item.js';

// A batch thread: receives its share of a chunk as raw bytes, answers with the outcomes in order
// and the output bytes; both buffers are transferred rather than copied.
const ctx = workerData as SignContext;
parentPort?.on('message', (msg: { id: number; part: WorkPart; spare?: ArrayBuffer }) => {
  try {
    const { outcomes, output } = processChunk(ctx, msg.part, msg.spare);
    parentPort?.postMessage({ id: msg.id, results: outcomes, output }, [output.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : 'processing failed' });
  }
});
