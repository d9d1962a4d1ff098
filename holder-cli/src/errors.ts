import { isShomeiError } from '@shomei/shared';

/** Process exit codes, documented in `shomei --help`. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  declined: 3,
} as const;

/** The command line was used wrongly or lacks an input it cannot ask for (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The person pressed Ctrl-C or Ctrl-D at a prompt. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (isShomeiError(error, 'consent_refused')) return EXIT.declined;
  return EXIT.failure;
}

/**
 * The one line printed after `shomei: `. ShomeiError messages are written never to carry secrets
 * or personal values; anything else is described by its kind only, since a library's message
 * might quote data.
 */
export function describeError(error: unknown, home?: string): string {
  if (error instanceof UsageError || error instanceof CancelledError) return error.message;
  if (isShomeiError(error)) return error.message;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return 'the wallet file is not a Shomei wallet or is damaged';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'the wallet is in use by another shomei process; try again';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied${home ? ` on ${home}` : ''}`;
  if (code === 'ENOSPC') return 'no space left on the device';
  return 'unexpected error (run with SHOMEI_DEBUG=1 for details)';
}

/** What to do next, for errors where the person can do something (printed after the message). */
export function hintFor(error: unknown): string | undefined {
  if (!isShomeiError(error)) return undefined;
  switch (error.code) {
    case 'invalid_grant':
      // A Shomei issuer says how many tx_code attempts are left as data (details.attempts_left). Another
      // OpenID4VCI issuer can only say so in its error_description, so its text is the fallback.
      return typeof error.details?.attempts_left === 'number' || /attempts? left/.test(error.message)
        ? 'check the transaction code the issuer sent you and try again'
        : 'if the offer has expired or was already used, ask the issuer for a new one';
    case 'upstream_unavailable':
      return error.message.startsWith('could not reach') ? 'check the address and your connection, or try again later' : undefined;
    case 'fetch_refused':
      return /SHOMEI_ALLOW_PRIVATE_NETWORK/.test(error.message)
        ? 'the wallet does not follow codes and links to this machine or its network; for development pass --allow-private-network'
        : 'the wallet fetches only https from public addresses';
    case 'no_matching_credential':
      return 'see `shomei list`; receive a credential that holds what the verifier asks for';
    case 'expired':
      return 'ask the verifier for a new request';
    case 'replay':
      return 'ask the verifier for a new request';
    case 'wallet_not_initialized':
      return undefined;
    default:
      return undefined;
  }
}
