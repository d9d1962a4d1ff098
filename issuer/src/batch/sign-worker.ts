import { parentPort, workerData } from 'node:worker_threads';
import { type SignContext, type SignItem, signItem } from './sign-item.js';

// A batch signing thread: receives chunks of items, answers with the signed credentials in order.
const ctx = workerData as SignContext;
parentPort?.on('message', (msg: { id: number; items: SignItem[] }) => {
  try {
    parentPort?.postMessage({ id: msg.id, results: msg.items.map((item) => signItem(ctx, item)) });
  } catch (e) {
    parentPort?.postMessage({ id: msg.id, error: e instanceof Error ? e.message : 'signing failed' });
  }
});
