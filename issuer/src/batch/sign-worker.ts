import { parentPort, workerData } from 'node:worker_threads';
import { processItem, type SignContext, type WorkItem } from './sign-item.js';

// A batch thread: receives chunks of rows, answers with their outcomes in order.
const ctx = workerData as SignContext;
parentPort?.on('message', (msg: { id: number; items: WorkItem[] }) => {
  try {
    parentPort?.postMessage({ id: msg.id, results: msg.items.map((item) => processItem(ctx, item)) });
  } catch (e) {
    parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : 'processing failed' });
  }
});
