import { parentPort, workerData } from 'node:worker_threads';
import { processChunk, type SignContext, type WorkItem } from './sign-item.js';

// A batch thread: receives chunks of rows, answers with their outcomes in order and the output
// bytes, whose memory is transferred rather than copied.
const ctx = workerData as SignContext;
parentPort?.on('message', (msg: { id: number; items: WorkItem[]; spare?: ArrayBuffer }) => {
  try {
    const { outcomes, output } = processChunk(ctx, msg.items, msg.spare);
    parentPort?.postMessage({ id: msg.id, results: outcomes, output }, [output.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : 'processing failed' });
  }
});
