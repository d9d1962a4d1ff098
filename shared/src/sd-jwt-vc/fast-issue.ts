import { hash, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { PublicJwk } from '../crypto/keys.js';
import { DEFAULT_SD_ALG, isSdAlg, nodeHashName } from './digest.js';
import type { IssueSdJwtVcInput } from './issue.js';
import { SD_JWT_VC_TYP } from './issue.js';

/** For the batch signer's threads, which import this module alone. */
export type { SdAlg } from './digest.js';

/**
 * The same SD-JWT VC as `issueSdJwtVc`, written for throughput (batch issuance): synchronous, all
 * salts cut from one pool of random bytes, digests with one-shot `crypto.hash`, the key a ready
 * KeyObject, no per-call library set-up, and the JSON of each disclosure and of the signing input
 * encoded in one scratch buffer instead of a fresh Buffer each. The stock @sd-jwt path spends ~90%
 * of its time outside the signature; here the ES256 signature is the largest cost. Output is
 * checked against the library path and an independent verifier in tests.
 */
export function issueSdJwtVcFast(key: { kid: string; privateKey: KeyObject }, input: IssueSdJwtVcInput): string {
  const containers = input.containersNotDisclosable ?? [];
  const sdAlg = input.sdAlg ?? DEFAULT_SD_ALG;
  // It is written into the payload's JSON as is, so only a known name may get that far.
  if (!isSdAlg(sdAlg)) throw new Error('sdAlg is not one of SD_ALGS');
  const hashName = nodeHashName(sdAlg);
  let disclosures = '';
  const disclose = (name: string, value: unknown): string => {
    const encoded = base64urlOf(`["${nextSalt()}",${quoted(name)},${JSON.stringify(value)}]`);
    disclosures += `~${encoded}`;
    return hash(hashName, encoded, 'base64url');
  };

  const topDigests: string[] = [];
  let visibleContainers = '';
  for (const name of Object.keys(input.claims)) {
    let claimValue = input.claims[name];
    if (claimValue === undefined) continue; // as JSON.stringify leaves out an undefined member
    if (isPlainObject(claimValue)) {
      const inner: string[] = [];
      for (const k of Object.keys(claimValue)) if (claimValue[k] !== undefined) inner.push(disclose(k, claimValue[k]));
      claimValue = { _sd: inner.sort() };
    }
    if (containers.includes(name)) visibleContainers += `${quoted(name)}:${JSON.stringify(claimValue)},`;
    else topDigests.push(disclose(name, claimValue));
  }

  // The payload's JSON is written out member by member rather than built as an object for
  // JSON.stringify: that object, assembled by spreading, cost ~10 µs per credential to serialize.
  // Digests are base64url and the numbers integers, so only strings from the input need quoting.
  const visible = visibleMembers(input.visible, input.claims);
  const jwk = JSON.stringify(withoutKid(input.holderJwk));
  const payload =
    `{${visible}${visibleContainers}"_sd":[${topDigests.sort().map(asJsonString).join(',')}],` +
    `"iss":${JSON.stringify(input.issuer)},"vct":${JSON.stringify(input.vct)},` +
    `"iat":${Math.floor(input.issuedAt.getTime() / 1000)},"exp":${Math.floor(input.expiresAt.getTime() / 1000)},` +
    `"cnf":{"jwk":${jwk}},"status":{"status_list":{"idx":${JSON.stringify(input.status.idx)},"uri":${JSON.stringify(input.status.uri)}}},` +
    `"_sd_alg":"${sdAlg}"}`;
  const signingInput = `${encodedHeader(key.kid)}.${base64urlOf(payload)}`;
  // The signing input is ASCII: written as latin1 into the scratch buffer, it is signed in place.
  const length = scratchFor(signingInput.length).write(signingInput, 0, 'latin1');
  const signature = sign('sha256', scratch.subarray(0, length), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}${disclosures}~`;
}

/** Claim names the payload sets itself; a visible claim may not take one, nor a disclosable claim's name. */
const PAYLOAD_NAMES = new Set(['_sd', 'iss', 'vct', 'iat', 'exp', 'cnf', 'status', '_sd_alg']);

/** The always-visible claims as JSON object members, each followed by a comma ('' when none). */
function visibleMembers(visible: Record<string, unknown> | undefined, claims: Record<string, unknown>): string {
  if (visible === undefined) return '';
  for (const name of Object.keys(visible)) {
    if (PAYLOAD_NAMES.has(name) || Object.hasOwn(claims, name)) throw new Error(`visible claim ${name} would collide in the payload`);
  }
  const json = JSON.stringify(visible);
  return json === '{}' ? '' : `${json.slice(1, -1)},`;
}

function asJsonString(digest: string): string {
  return `"${digest}"`;
}

/** Claim names as JSON strings, kept: a credential type has a fixed, small set of them. */
const quotedNames = new Map<string, string>();

function quoted(name: string): string {
  let json = quotedNames.get(name);
  if (json === undefined) {
    json = JSON.stringify(name);
    if (quotedNames.size < 256) quotedNames.set(name, json);
  }
  return json;
}

/** One buffer per thread for encoding: JSON becomes UTF-8 bytes, then base64url, without an allocation each time. */
let scratch = Buffer.allocUnsafe(16 * 1024);

function scratchFor(chars: number): Buffer {
  // A UTF-8 encoding takes at most 3 bytes per UTF-16 code unit.
  if (chars * 3 > scratch.length) scratch = Buffer.allocUnsafe(chars * 3);
  return scratch;
}

function base64urlOf(json: string): string {
  const length = scratchFor(json.length).write(json, 0, 'utf8');
  return scratch.toString('base64url', 0, length);
}

const headers = new Map<string, string>();

function encodedHeader(kid: string): string {
  let header = headers.get(kid);
  if (header === undefined) {
    header = Buffer.from(JSON.stringify({ typ: SD_JWT_VC_TYP, alg: 'ES256', kid })).toString('base64url');
    headers.set(kid, header);
  }
  return header;
}

/**
 * Salts of 18 random bytes (144 bits; RFC 9901 recommends at least 128), base64url-encoded: 18 bytes
 * are exactly 24 characters, so a pool of random bytes is encoded once and each salt is a slice of
 * that text, one CSPRNG draw and one encoding per ~3,600 salts. Each salt is used once.
 */
const SALT_BYTES = 18;
const SALT_CHARS = 24;
const SALTS_PER_POOL = 3640;
let saltText = '';
let saltAt = 0;

function nextSalt(): string {
  if (saltAt === saltText.length) {
    saltText = randomBytes(SALT_BYTES * SALTS_PER_POOL).toString('base64url');
    saltAt = 0;
  }
  const salt = saltText.slice(saltAt, saltAt + SALT_CHARS);
  saltAt += SALT_CHARS;
  return salt;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function withoutKid(jwk: PublicJwk): PublicJwk {
  const { kid: _kid, ...rest } = jwk;
  return rest;
}
