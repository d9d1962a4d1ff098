import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveServeConfig } from './config.js';

const secretEnv = { SHOMEI_ISSUER_SECRET: 's3cret' };

describe('serve configuration', () => {
  it('uses defaults, then env, then flags', () => {
    const defaults = resolveServeConfig({}, secretEnv);
    expect(defaults).toMatchObject({ host: '127.0.0.1', port: 4000, publicUrl: undefined, sandbox: { enabled: false } });
    expect(defaults.dataDir).toBe(resolve('.data/issuer'));
    expect(defaults.dbFile).toBe(join(resolve('.data/issuer'), 'issuer.db'));
    expect(defaults.secretSource).toBe('env SHOMEI_ISSUER_SECRET');

    const env = {
      ...secretEnv,
      SHOMEI_ISSUER_HOST: '0.0.0.0',
      SHOMEI_ISSUER_PORT: '0',
      SHOMEI_ISSUER_DATA: '/tmp/x',
      SHOMEI_ISSUER_PUBLIC_URL: 'https://issuer.example.jp',
      SHOMEI_ISSUER_SANDBOX: '1',
      SHOMEI_ISSUER_ADMIN_TOKEN: 'adm',
    };
    expect(resolveServeConfig({}, env)).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      dataDir: '/tmp/x',
      publicUrl: 'https://issuer.example.jp',
      sandbox: { enabled: true, adminToken: 'adm' },
    });
    expect(resolveServeConfig({ host: '::1', port: '4100', data: '/tmp/y', publicUrl: 'http://a' }, env)).toMatchObject({
      host: '::1',
      port: 4100,
      dataDir: '/tmp/y',
      publicUrl: 'http://a',
    });
    expect(resolveServeConfig({}, { ...secretEnv, SHOMEI_ISSUER_SANDBOX: '0' }).sandbox.enabled).toBe(false);
  });

  it('refuses to start without a secret, and reads one from a file', () => {
    expect(() => resolveServeConfig({}, {})).toThrow(ConfigError);
    expect(() => resolveServeConfig({}, {})).toThrow(/SHOMEI_ISSUER_SECRET or pass --secret-file/);
    const fromFile = resolveServeConfig({ secretFile: '/run/s' }, secretEnv, () => 'from-file\n');
    expect(fromFile.secret).toBe('from-file');
    expect(fromFile.secretSource).toBe('file /run/s');
    expect(() => resolveServeConfig({ secretFile: '/run/s' }, {}, () => '\n')).toThrow(/is empty/);
    expect(() =>
      resolveServeConfig({ secretFile: '/nope' }, {}, () => {
        throw new Error('ENOENT');
      }),
    ).toThrow(/cannot read the secret file/);
  });

  it('needs an admin token for the sandbox, and a valid port', () => {
    expect(() => resolveServeConfig({ sandbox: true }, secretEnv)).toThrow(/SHOMEI_ISSUER_ADMIN_TOKEN/);
    for (const port of ['-1', '65536', 'http', '']) {
      expect(() => resolveServeConfig({ port }, secretEnv), port).toThrow(/port must be/);
    }
  });

  it('takes JPKI anchors with their CRLs and the upstreams file from flags or environment, and refuses anchors without a CRL', () => {
    const fromFlags = resolveServeConfig(
      { jpkiAnchors: 'ca.pem', jpkiCrl: ['a.crl', 'https://ca.example/b.crl'], upstreams: 'up.json' },
      secretEnv,
    );
    expect(fromFlags).toMatchObject({ jpkiAnchors: 'ca.pem', jpkiCrls: ['a.crl', 'https://ca.example/b.crl'], upstreams: 'up.json' });
    const fromEnv = resolveServeConfig(
      {},
      { ...secretEnv, SHOMEI_ISSUER_JPKI_ANCHORS: 'ca.pem', SHOMEI_ISSUER_JPKI_CRL: 'a.crl,b.crl', SHOMEI_ISSUER_UPSTREAMS: 'up.json' },
    );
    expect(fromEnv).toMatchObject({ jpkiAnchors: 'ca.pem', jpkiCrls: ['a.crl', 'b.crl'], upstreams: 'up.json' });
    expect(resolveServeConfig({}, secretEnv)).toMatchObject({ jpkiAnchors: undefined, jpkiCrls: [], upstreams: undefined });
    expect(() => resolveServeConfig({ jpkiAnchors: 'ca.pem' }, secretEnv)).toThrow(ConfigError);
  });

  it('takes the disclosure digest (_sd_alg) from --sd-alg or the environment, sha-256 by default, and refuses other names', () => {
    expect(resolveServeConfig({}, secretEnv).sdAlg).toBe('sha-256');
    expect(resolveServeConfig({}, { ...secretEnv, SHOMEI_ISSUER_SD_ALG: 'sha3-256' }).sdAlg).toBe('sha3-256');
    expect(resolveServeConfig({ sdAlg: 'sha-384' }, { ...secretEnv, SHOMEI_ISSUER_SD_ALG: 'sha3-256' }).sdAlg).toBe('sha-384');
    for (const bad of ['sha256', 'SHA-256', 'sha-256-128', 'md5', '']) {
      expect(() => resolveServeConfig({ sdAlg: bad }, secretEnv)).toThrow(ConfigError);
    }
  });
});
