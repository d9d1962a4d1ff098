import { randomUUID } from 'node:crypto';
import type { IIdentifier, IKey, ManagedKeyInfo } from '@veramo/core-types';
import { AbstractDIDStore } from '@veramo/did-manager';
import { AbstractKeyStore, AbstractPrivateKeyStore, type ImportablePrivateKey, type ManagedPrivateKey } from '@veramo/key-manager';
import { ShomeiError } from '../errors.js';
import type { SecretBox } from './secret-box.js';
import type { StoredDid, StoredKey, VaultStorage } from './vault-storage.js';

/** Veramo's key, private-key and DID stores over the vault's storage (no TypeORM). */

function toKey(k: StoredKey): IKey {
  return {
    kid: k.kid,
    kms: k.kms,
    type: k.type as IKey['type'],
    publicKeyHex: k.publicKeyHex,
    meta: k.meta ? JSON.parse(k.meta) : undefined,
  };
}

export class VaultKeyStore extends AbstractKeyStore {
  constructor(private readonly storage: VaultStorage) {
    super();
  }

  async importKey(args: Partial<IKey>): Promise<boolean> {
    if (!args.kid || !args.kms || !args.type || !args.publicKeyHex) {
      throw new ShomeiError('invalid_request', 'key needs kid, kms, type and publicKeyHex');
    }
    await this.storage.putKey({
      kid: args.kid,
      kms: args.kms,
      type: args.type,
      publicKeyHex: args.publicKeyHex,
      meta: args.meta ? JSON.stringify(args.meta) : null,
    });
    return true;
  }

  async getKey({ kid }: { kid: string }): Promise<IKey> {
    const key = await this.storage.key(kid);
    if (!key) throw new ShomeiError('not_found', 'key not found');
    return toKey(key);
  }

  async deleteKey({ kid }: { kid: string }): Promise<boolean> {
    return this.storage.deleteKey(kid);
  }

  async listKeys(): Promise<ManagedKeyInfo[]> {
    return (await this.storage.keys()).map(toKey);
  }
}

/** Private keys are sealed with AES-256-GCM; the alias is the associated data. */
export class SealedPrivateKeyStore extends AbstractPrivateKeyStore {
  constructor(
    private readonly storage: VaultStorage,
    private readonly box: () => SecretBox,
  ) {
    super();
  }

  async importKey(args: ImportablePrivateKey): Promise<ManagedPrivateKey> {
    const alias = args.alias ?? randomUUID();
    if (await this.storage.privateKey(alias)) throw new ShomeiError('conflict', 'a private key with this alias exists');
    await this.storage.insertPrivateKey({ alias, type: args.type, sealed: this.box().encrypt(args.privateKeyHex, alias) });
    return { alias, type: args.type, privateKeyHex: args.privateKeyHex };
  }

  async getKey({ alias }: { alias: string }): Promise<ManagedPrivateKey> {
    const row = await this.storage.privateKey(alias);
    if (!row) throw new ShomeiError('not_found', 'private key not found');
    return { alias, type: row.type as ManagedPrivateKey['type'], privateKeyHex: this.box().decrypt(row.sealed, alias) };
  }

  async deleteKey({ alias }: { alias: string }): Promise<boolean> {
    return this.storage.deletePrivateKey(alias);
  }

  async listKeys(): Promise<ManagedPrivateKey[]> {
    return Promise.all((await this.storage.privateKeys()).map((r) => this.getKey({ alias: r.alias })));
  }
}

function toDid(d: StoredDid): IIdentifier {
  return {
    did: d.did,
    alias: d.alias ?? undefined,
    provider: d.provider ?? '',
    controllerKeyId: d.controllerKeyId ?? undefined,
    keys: JSON.parse(d.keys),
    services: JSON.parse(d.services),
  };
}

export class VaultDidStore extends AbstractDIDStore {
  constructor(private readonly storage: VaultStorage) {
    super();
  }

  async importDID(args: IIdentifier): Promise<boolean> {
    // Keys are kept without private material: the private-key store holds that, sealed.
    const keys = args.keys.map(({ privateKeyHex: _p, ...k }) => k);
    await this.storage.putDid({
      did: args.did,
      alias: args.alias ?? null,
      provider: args.provider,
      controllerKeyId: args.controllerKeyId ?? null,
      keys: JSON.stringify(keys),
      services: JSON.stringify(args.services),
    });
    return true;
  }

  async getDID(args: { did: string } | { alias: string }): Promise<IIdentifier> {
    const did = await this.storage.did(args);
    if (!did) throw new ShomeiError('not_found', 'DID not found');
    return toDid(did);
  }

  async deleteDID({ did }: { did: string }): Promise<boolean> {
    return this.storage.deleteDid(did);
  }

  async listDIDs(args: { alias?: string; provider?: string }): Promise<IIdentifier[]> {
    return (await this.storage.dids())
      .filter((d) => (args.alias === undefined || d.alias === args.alias) && (args.provider === undefined || d.provider === args.provider))
      .map(toDid);
  }
}
