import { ALLOW_PRIVATE_NETWORK_ENV, type OutboundPolicy, outboundPolicyFromEnv } from '@shomei/shared';

/**
 * The wallet's outbound-fetch policy. Offers and request URIs come from QR codes and links, so by
 * default the wallet fetches only https from public addresses: a printed QR cannot make it call the
 * person's own machine or network. `--allow-private-network` (env SHOMEI_ALLOW_PRIVATE_NETWORK=1)
 * opens loopback and private addresses for development; anything fetched over plain http is named on stderr first.
 */
export function walletOutboundPolicy(
  env: Record<string, string | undefined>,
  allowPrivateNetwork: boolean,
  stderr: { write(text: string): unknown },
): OutboundPolicy {
  const told = new Set<string>();
  return outboundPolicyFromEnv(allowPrivateNetwork ? { ...env, [ALLOW_PRIVATE_NETWORK_ENV]: '1' } : env, {
    // Once per origin and run: a receive makes several requests to one issuer.
    onInsecure: (note) => {
      if (told.has(note)) return;
      told.add(note);
      stderr.write(`shomei: ${note}\n`);
    },
  });
}
