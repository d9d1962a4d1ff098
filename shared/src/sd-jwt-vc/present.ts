import type { KeyObject } from 'node:crypto';
import { SDJwtInstance } from '@sd-jwt/core';
import type { PresentationFrame } from '@sd-jwt/types';
import { nodeSigner, saltGenerator, sdHasher } from './capabilities.js';

export interface KeyBindingInput {
  holderKey: KeyObject;
  nonce: string;
  aud: string;
  iat: Date;
}

/**
 * Builds a presentation that discloses exactly `paths` (e.g. `[['address','locality']]`; the
 * enclosing `address` disclosure comes along, its other members stay hidden) and appends a
 * key-binding JWT signed with the holder key. The sd_hash follows the credential's `_sd_alg`
 * (@sd-jwt reads it from the payload and asks `sdHasher` for it).
 */
export async function presentSdJwtVc(credential: string, paths: readonly (readonly string[])[], kb: KeyBindingInput): Promise<string> {
  const sdjwt = new SDJwtInstance({
    hasher: sdHasher,
    saltGenerator,
    kbSigner: nodeSigner(kb.holderKey),
    kbSignAlg: 'ES256',
  });
  return sdjwt.present(credential, presentationFrame(paths) as PresentationFrame<Record<string, unknown>>, {
    kb: { payload: { iat: Math.floor(kb.iat.getTime() / 1000), aud: kb.aud, nonce: kb.nonce } },
  });
}

function presentationFrame(paths: readonly (readonly string[])[]): Record<string, unknown> {
  const frame: Record<string, unknown> = {};
  for (const path of paths) {
    let node = frame;
    path.forEach((segment, i) => {
      if (i === path.length - 1) {
        if (node[segment] === undefined) node[segment] = true;
        return;
      }
      if (typeof node[segment] !== 'object') node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    });
  }
  return frame;
}
