import { describe, expect, it } from 'vitest';
import { loadVaultSecret } from './vault-secret.js';

describe('the vault secret', () => {
  const fail = (message: string) => new Error(message);
  const base = { envName: 'X_SECRET', purpose: 'it seals keys', fail };

  it('comes from --secret-file (one trailing newline dropped) before the environment', () => {
    const got = loadVaultSecret({ ...base, secretFile: '/run/s', env: { X_SECRET: 'env' }, readFile: () => 'file\n' });
    expect(got).toEqual({ secret: 'file', source: 'file /run/s' });
    expect(loadVaultSecret({ ...base, secretFile: undefined, env: { X_SECRET: 'env' } })).toEqual({
      secret: 'env',
      source: 'env X_SECRET',
    });
  });

  it("refuses an empty or unreadable file and an unset (or empty) variable, with the service's error", () => {
    expect(() => loadVaultSecret({ ...base, secretFile: '/run/s', env: {}, readFile: () => '\n' })).toThrow(/is empty/);
    const unreadable = () => {
      throw new Error('ENOENT');
    };
    expect(() => loadVaultSecret({ ...base, secretFile: '/x', env: {}, readFile: unreadable })).toThrow(/cannot read the secret file \/x/);
    expect(() => loadVaultSecret({ ...base, secretFile: undefined, env: { X_SECRET: '' } })).toThrow(
      'no key-vault secret: set X_SECRET or pass --secret-file <path> (it seals keys)',
    );
  });
});
