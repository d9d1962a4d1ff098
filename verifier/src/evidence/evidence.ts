import { hash, randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Sealer } from '../sealer.js';
import type { ClientRow, EvidenceRow, EvidenceStore } from '../store/types.js';
import type { VerificationResult } from '../verify/verify-presentation.js';

export const DEFAULT_RETENTION_DAYS = 90;
export const evidenceAad = (id: string): string => `evidence-values:${id}`;

/** Dotted names of the leaves of the disclosed claims (`address.locality`), never their values. */
export function disclosedNames(disclosed: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(disclosed)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...disclosedNames(v as Record<string, unknown>, name));
    else out.push(name);
  }
  return out.sort();
}

export interface EvidenceInput {
  client: ClientRow;
  requestId: string | null;
  kind: EvidenceRow['kind'];
  /** What was asked and under which policy (no personal values: a match record is not kept). */
  request: Record<string, unknown>;
  result: VerificationResult;
  /** The claims the verification saw (before match mode dropped them). */
  disclosed: Record<string, unknown>;
  presentation: string;
  now: Date;
}

/**
 * An evidence record (証跡) of one verification: the request and policy, the result without
 * claim values, a hash of the presentation and the names of the disclosed claims. Claim values
 * are kept, sealed, only when the business's retention setting says so.
 */
export function buildEvidence(input: EvidenceInput, sealer: Sealer): EvidenceRow {
  const id = randomUUID();
  const created = input.now.getTime();
  const days = input.client.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const { disclosed: _values, ...resultWithoutValues } = input.result;
  const hasValues = Object.keys(input.disclosed).length > 0;
  return {
    id,
    clientId: input.client.id,
    requestId: input.requestId,
    kind: input.kind,
    createdAt: created,
    purgeAt: created + days * 86_400_000,
    request: JSON.stringify(input.request),
    result: JSON.stringify(resultWithoutValues),
    presentationHash: hash('sha256', input.presentation, 'base64url'),
    disclosedNames: disclosedNames(input.disclosed),
    sealedValues: input.client.keepValues && hasValues ? sealer.seal(JSON.stringify(input.disclosed), evidenceAad(id)) : null,
  };
}

/**
 * Writes evidence records off the verification hot path: records are queued and written in one
 * transaction on the next turn of the event loop (or by `flush`).
 */
export class EvidenceWriter {
  private queue: EvidenceRow[] = [];
  private scheduled: Promise<void> | undefined;

  constructor(
    private readonly store: EvidenceStore,
    private readonly log: Logger,
  ) {}

  add(row: EvidenceRow): void {
    this.queue.push(row);
    this.scheduled ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  async flush(): Promise<void> {
    const rows = this.queue;
    this.queue = [];
    this.scheduled = undefined;
    if (rows.length === 0) return;
    try {
      await this.store.insertMany(rows);
    } catch (e) {
      this.log.error(`evidence: writing ${rows.length} record(s) failed (${e instanceof Error ? e.name : 'error'})`);
    }
  }
}
