import { setFlagsFromString } from 'node:v8';

/**
 * Old space a batch thread's heap may fill before its first full (mark-compact) collection.
 *
 * V8 starts each new isolate with a small old-generation limit and raises it only after
 * collections. A batch thread keeps about 20 MB live and promotes a few MB per second. So with
 * V8's defaults it ran a full collection every 0.2–0.5 s. Their concurrent marking took about a
 * fifth of all the CPU a batch used (`--trace-gc-nvp`: 2.4 s of background GC per 50,000
 * credentials). Starting at 64 MB leaves a few of those per run. This costs about 60 MB of peak
 * RSS and is about 8% faster end to end (see the closing notes of issue 6).
 */
const INITIAL_OLD_SPACE_MB = 64;

/**
 * Applies the batch heap sizing to isolates created from now on in this process: the batch thread
 * and its signing threads. Worker `resourceLimits` cap a heap but cannot set its starting size,
 * and V8 reads this flag when it configures each new heap. Flags are process-wide, so this runs
 * only where a batch is about to start.
 */
export function sizeHeapsForBatch(): void {
  setFlagsFromString(`--initial-old-space-size=${INITIAL_OLD_SPACE_MB}`);
}
