// Test support only: the shared pieces of the property-based (fast-check) hostile-input tests.
import fc from 'fast-check';
import { ERROR_CODES } from '../errors.js';

/** Cases per parser: 10,000 in CI; `pnpm fuzz:nightly` sets SHOMEI_FUZZ_RUNS higher. */
export const FUZZ_RUNS = Number(process.env.SHOMEI_FUZZ_RUNS ?? 10_000);
/** A fixed seed in CI (reproducible); the nightly run sets SHOMEI_FUZZ_SEED to a fresh one and prints it. */
export const FUZZ_SEED = process.env.SHOMEI_FUZZ_SEED === undefined ? 20261121 : Number(process.env.SHOMEI_FUZZ_SEED);

/** Per-test time budget: 2 minutes in CI (each parser takes 1-9 s for 10,000 cases here), scaled for the nightly run. */
export const FUZZ_TIMEOUT_MS = Math.max(120_000, (FUZZ_RUNS / 10_000) * 60_000);

export const fuzzParams = (runs = FUZZ_RUNS): fc.Parameters<unknown> => ({ numRuns: runs, seed: FUZZ_SEED, endOnFailure: true });

/** Calls `fn`; a throw is allowed only when it is a ShomeiError with a stable code. Returns the code or undefined. */
export function stableOutcome(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return stableCode(e);
  }
}

/** stableOutcome for an asynchronous `fn`: a rejection is allowed only as a ShomeiError with a stable code. */
export async function stableOutcomeAsync(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (e) {
    return stableCode(e);
  }
}

function stableCode(e: unknown): string {
  // By name, not instanceof: packages load @shomei/shared from dist/, these tests from src/.
  const code = (e as { code?: unknown }).code;
  if (!(e instanceof Error) || e.name !== 'ShomeiError' || typeof code !== 'string') {
    throw new Error(`threw a non-ShomeiError: ${String(e)}`, { cause: e });
  }
  if (!(code in ERROR_CODES)) throw new Error(`unknown error code ${code}`);
  return code;
}

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64url');

/** Names that reach Object.prototype when a lookup table is indexed by untrusted input. */
export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'valueOf', 'toString', 'hasOwnProperty', 'prototype'] as const;
const prototypeName = fc.constantFrom(...PROTOTYPE_NAMES);

/** Any JSON value, including deep and odd shapes, and prototype names as strings and as keys. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 6 }) },
  { weight: 1, arbitrary: prototypeName },
  { weight: 1, arbitrary: fc.dictionary(prototypeName, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) },
);

/** A base64url segment: of JSON (often an object), of random bytes, or not base64url at all. */
export const segment = fc.oneof(
  anyJson.map((v) => b64(JSON.stringify(v))),
  fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 6 }).map((v) => b64(JSON.stringify(v))),
  fc.uint8Array({ maxLength: 80 }).map(b64),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.constantFrom('', '=', '.', '~', '%', 'eyJ', 'e30', 'bnVsbA'),
);

/** A JWS-looking string: 1 to 5 segments joined by dots. */
export const jwsLike = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'));

/** An SD-JWT-looking string: a JWS, disclosures (arrays of JSON), and maybe a trailing key-binding JWS. */
export const sdJwtLike = fc
  .tuple(
    jwsLike,
    fc.array(
      fc.oneof(
        fc.array(anyJson, { maxLength: 4 }).map((a) => b64(JSON.stringify(a))),
        fc.tuple(fc.string(), fc.constantFrom('_sd', '...', '_sd_alg', 'family_name', ''), anyJson).map((a) => b64(JSON.stringify(a))),
        segment,
      ),
      { maxLength: 6 },
    ),
    fc.option(jwsLike, { nil: undefined }),
  )
  .map(([jwt, disclosures, kb]) => `${jwt}~${disclosures.map((d) => `${d}~`).join('')}${kb ?? ''}`);

/** Edits of a valid string: replace, insert or delete characters, or shuffle, drop and repeat `~`/`.` parts. */
export function mutationOf(original: string): fc.Arbitrary<string> {
  const charEdit = fc
    .tuple(
      fc.nat({ max: original.length - 1 }),
      fc.constantFrom('replace', 'insert', 'delete'),
      fc.string({ minLength: 1, maxLength: 3, unit: 'binary' }),
    )
    .map(([at, op, s]) => {
      if (op === 'delete') return original.slice(0, at) + original.slice(at + 1);
      if (op === 'insert') return original.slice(0, at) + s + original.slice(at);
      return original.slice(0, at) + s + original.slice(at + 1);
    });
  const partEdit = fc
    .tuple(fc.constantFrom('~', '.'), fc.constantFrom('drop', 'repeat', 'swap'), fc.nat(), fc.nat())
    .map(([sep, op, i, j]) => {
      const parts = original.split(sep);
      const a = i % parts.length;
      const b = j % parts.length;
      if (op === 'drop') parts.splice(a, 1);
      else if (op === 'repeat') parts.splice(b, 0, parts[a] as string);
      else [parts[a], parts[b]] = [parts[b] as string, parts[a] as string];
      return parts.join(sep);
    });
  return fc.oneof(charEdit, partEdit);
}
