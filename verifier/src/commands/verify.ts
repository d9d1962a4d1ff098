import { readFileSync } from 'node:fs';
import { type AssuranceLevel, decodeSdJwt, isShomeiError, publicKeyFromJwk, ShomeiError } from '@shomei/shared';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { silentLogger } from '../log.js';
import { type MatchRecord, matchRecordSchema } from '../matching/match.js';
import { PRESET_NAMES, PRESETS, type PresetName } from '../oid4vp/presets.js';
import { StatusListCache } from '../status/status-list-cache.js';
import { TrustService } from '../trust/trust-service.js';
import type { IssuerPolicy } from '../trust/trust-store.js';
import { loadTrustConfig, parseTrustConfig } from '../trust/z-trust-config.js';
import { runVerification } from '../verify/run-verification.js';
import type { VerificationResult } from '../verify/verify-presentation.js';

/** Exit codes of `shomei-verifier verify`. */
export const EXIT = { valid: 0, invalid: 1, usage: 2 } as const;

export interface VerifyCommandOptions {
  trust?: string;
  issuerKey?: string;
  nonce?: string;
  aud?: string;
  at?: string;
  profile: 'sd-jwt-vc' | 'sd-jwt';
  preset?: PresetName;
  claim: string[];
  minAssurance?: AssuranceLevel;
  maxAge?: number;
  match?: string;
  stalePolicy?: 'reject' | 'accept';
  /** Accept a credential without a `status` claim (status "none"), as trust file `status.required: false`. */
  statusOptional?: boolean;
  /** `optional`: a credential with `cnf` may come without key binding (warning key_binding_absent). */
  keyBinding?: 'required' | 'optional';
}

function usage(message: string): never {
  throw new ShomeiError('invalid_request', message, { details: { usage: true } });
}

function readInput(file: string | undefined): string {
  try {
    return readFileSync(file === undefined || file === '-' ? 0 : file, 'utf8').trim();
  } catch {
    return usage(file ? 'cannot read the presentation file' : 'cannot read the presentation from stdin');
  }
}

function readJsonFile(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return usage(`cannot read ${what} as JSON`);
  }
}

/**
 * Checks one presentation offline-first: keys from `--issuer-key` or the trust file (discovery
 * and status lists are fetched once, before verification), then the same `runVerification`
 * the service uses, with the trust file's settings unless a flag overrides them.
 */
export async function runVerify(file: string | undefined, opts: VerifyCommandOptions): Promise<VerificationResult> {
  const now = opts.at === undefined ? new Date() : new Date(opts.at);
  if (Number.isNaN(now.getTime()) || (opts.at !== undefined && !/^\d{4}-\d{2}-\d{2}T/.test(opts.at))) {
    usage('--at must be an ISO 8601 date-time, e.g. 2026-11-21T03:00:00Z');
  }
  const presentation = readInput(file);
  if (!presentation) usage('the presentation is empty');
  let config = parseTrustConfig({ issuers: [] });
  if (opts.trust) {
    try {
      config = loadTrustConfig(opts.trust);
    } catch (e) {
      usage(isShomeiError(e) ? `--trust: ${e.message}` : '--trust: cannot load');
    }
  }
  let pinned: ReturnType<typeof publicKeyFromJwk> | undefined;
  if (opts.issuerKey) {
    try {
      pinned = publicKeyFromJwk(readJsonFile(opts.issuerKey, '--issuer-key'));
    } catch (e) {
      usage(isShomeiError(e) && e.details?.usage ? e.message : '--issuer-key is not a usable public JWK');
    }
  }
  let match: MatchRecord | undefined;
  if (opts.match) {
    const parsed = matchRecordSchema.safeParse(readJsonFile(opts.match, '--match'));
    if (!parsed.success)
      usage('--match: the record does not fit (fields: family_name, given_name, name, *_kana, birthdate, phone_number, address.*)');
    match = parsed.data;
  }
  const service = new TrustService(config, { now: () => new Date(), log: silentLogger });
  let vctSeen: string | undefined;
  try {
    const v = decodeSdJwt(presentation).issuerJws.payload.vct;
    if (typeof v === 'string') vctSeen = v;
  } catch {
    // verification reports it
  }
  const trust = pinned
    ? {
        resolveKey: () => pinned,
        isTrusted: () => true,
        ensureKeys: async () => {},
        issuerPolicy: (): IssuerPolicy => ({ vcts: vctSeen ? [vctSeen] : [], maxAssurance: 'IAL3', source: 'config' }),
        settings: () => service.settings(),
      }
    : service;
  const statusLists = new StatusListCache({
    trust,
    now: () => new Date(),
    log: silentLogger,
    staleAfterSeconds: config.status?.stale_after_seconds,
  });
  const required = [...(opts.preset ? PRESETS[opts.preset].paths : []), ...opts.claim.map((c) => c.split('.'))];
  const { result } = await runVerification(
    { trust, statusLists, now: () => now },
    {
      presentation,
      expectedNonce: opts.nonce,
      expectedAud: opts.aud,
      keyBinding: opts.keyBinding ?? 'required',
      requiredPaths: required,
      minAssurance: opts.minAssurance,
      maxCredentialAgeSeconds: opts.maxAge,
      staleStatus: opts.stalePolicy,
      statusRequired: opts.statusOptional ? false : undefined,
      profile: opts.profile,
      record: match,
    },
  );
  return result;
}

const positiveInt = (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new InvalidArgumentError('must be a positive whole number of seconds');
  return Number(v);
};

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('verify one SD-JWT VC presentation received by other means; prints the result as JSON')
    .argument('[file]', 'file holding the presentation (default: stdin, or "-")')
    .option('--trust <file>', 'trust configuration JSON (issuers, anchors, algorithms, stale policy)')
    .option('--issuer-key <jwk.json>', 'trust this public JWK as the issuer key for this check')
    .option('--nonce <nonce>', 'the nonce the key-binding JWT must carry (key binding then required)')
    .option('--aud <aud>', 'the audience the key-binding JWT must carry (key binding then required)')
    .addOption(
      new Option(
        '--key-binding <mode>',
        'required (default): a credential bound to a holder key (cnf) needs a key-binding JWT; optional: accepted without one, with the warning key_binding_absent',
      ).choices(['required', 'optional']),
    )
    .option('--at <time>', 'verify as of this ISO time (re-checking evidence); status is as the list says now')
    .addOption(
      new Option('--profile <profile>', 'sd-jwt-vc (default) or sd-jwt: any RFC 9901 SD-JWT, no VC type rules')
        .choices(['sd-jwt-vc', 'sd-jwt'])
        .default('sd-jwt-vc'),
    )
    .addOption(new Option('--preset <name>', 'require the claims of a preset').choices(PRESET_NAMES))
    .option(
      '--claim <path>',
      'require a claim by dotted path (repeatable), e.g. address.locality',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .addOption(new Option('--min-assurance <level>', 'lowest assurance level accepted').choices(['IAL1', 'IAL2', 'IAL3']))
    .option('--max-age <seconds>', 'oldest credential accepted, by its iat', positiveInt)
    .option('--match <record.json>', 'compare with this customer record; the result holds only per-field true/false')
    .addOption(
      new Option('--stale-policy <policy>', 'a stale status list: reject or accept (default: the trust file, else reject)').choices([
        'reject',
        'accept',
      ]),
    )
    .option(
      '--status-optional',
      'accept a credential without a status claim: status "none", warning status_absent (default: the trust file, else required)',
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 valid, 1 invalid, 2 usage error. The JSON always has valid, errors [{code,message}],
issuer, vct, assurance_level, disclosed, status, checked_at (and matches with --match).

Examples:
  shomei-verifier verify presentation.txt --issuer-key issuer-jwk.json --nonce n-123 --aud did:web:shop.example
  cat vp.txt | shomei-verifier verify --trust trust.json --preset age_over_20
  shomei-verifier verify vp.txt --trust trust.json --at 2026-11-21T03:00:00Z --match customer.json
  shomei-verifier verify any-sd-jwt.txt --issuer-key key.json --profile sd-jwt
  shomei-verifier verify vc-without-status.txt --issuer-key key.json --status-optional
  shomei-verifier verify credential-only.txt --issuer-key key.json --key-binding optional`,
    )
    .action(async (file: string | undefined, opts: VerifyCommandOptions) => {
      const result = await runVerify(file, opts);
      console.log(JSON.stringify(result, null, 2));
      process.exitCode = result.valid ? EXIT.valid : EXIT.invalid;
    });
}
