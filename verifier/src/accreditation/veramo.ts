import { createAgent, type ICredentialPlugin, type IDIDManager, type IKeyManager, type IResolver, type TAgent } from '@veramo/core';
import { CredentialProviderJWT } from '@veramo/credential-jwt';
import { CredentialPlugin } from '@veramo/credential-w3c';
import { DIDManager, MemoryDIDStore } from '@veramo/did-manager';
import { getDidJwkResolver, JwkDIDProvider } from '@veramo/did-provider-jwk';
import { DIDResolverPlugin } from '@veramo/did-resolver';
import { KeyManager, MemoryKeyStore, MemoryPrivateKeyStore } from '@veramo/key-manager';
import { KeyManagementSystem } from '@veramo/kms-local';

export type AnchorAgent = TAgent<IKeyManager & IDIDManager & IResolver & ICredentialPlugin>;
export type VerifyingAgent = TAgent<IResolver & ICredentialPlugin>;

/**
 * A Veramo agent for a trust anchor: did:jwk identifiers (resolvable offline), keys held in
 * memory for one command (the anchor's key file is the store), W3C VC-JWT issuance.
 */
export function anchorAgent(): { agent: AnchorAgent; privateKeys: MemoryPrivateKeyStore } {
  const privateKeys = new MemoryPrivateKeyStore();
  const agent = createAgent<IKeyManager & IDIDManager & IResolver & ICredentialPlugin>({
    plugins: [
      new KeyManager({ store: new MemoryKeyStore(), kms: { local: new KeyManagementSystem(privateKeys) } }),
      new DIDManager({
        store: new MemoryDIDStore(),
        defaultProvider: 'did:jwk',
        providers: { 'did:jwk': new JwkDIDProvider({ defaultKms: 'local' }) },
      }),
      new DIDResolverPlugin({ ...getDidJwkResolver() }),
      new CredentialPlugin([new CredentialProviderJWT()]),
    ],
  });
  return { agent, privateKeys };
}

/** A verifier's agent: resolves did:jwk only (no network) and verifies W3C VC-JWTs. */
export function verifyingAgent(): VerifyingAgent {
  return createAgent<IResolver & ICredentialPlugin>({
    plugins: [new DIDResolverPlugin({ ...getDidJwkResolver() }), new CredentialPlugin([new CredentialProviderJWT()])],
  });
}
