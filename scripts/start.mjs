#!/usr/bin/env node
// `pnpm start`: issuer and verifier on 127.0.0.1 with their SQLite files under ./.data. Secrets
// and the sandbox admin token are generated once into ./.data/dev-secrets.json (development
// only: in production they come from the environment). Ctrl-C stops both.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newSecret, ROOT, startNetwork } from './lib/harness.mjs';

const dataDir = process.env.SHOMEI_DATA ?? join(ROOT, '.data');
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const secretsFile = join(dataDir, 'dev-secrets.json');
if (!existsSync(secretsFile)) {
  writeFileSync(secretsFile, JSON.stringify({ issuerSecret: newSecret(), verifierSecret: newSecret(), adminToken: newSecret() }, null, 2), {
    mode: 0o600,
  });
}
const secrets = JSON.parse(readFileSync(secretsFile, 'utf8'));
const ports = { issuer: Number(process.env.SHOMEI_ISSUER_PORT ?? 4000), verifier: Number(process.env.SHOMEI_VERIFIER_PORT ?? 5000) };
const net = await startNetwork(dataDir, { ports, secrets, onOutput: (who, text) => process.stdout.write(prefix(who, text)) });
if (!secrets.apiKey) writeFileSync(secretsFile, JSON.stringify({ ...secrets, apiKey: net.apiKey }, null, 2), { mode: 0o600 });
console.log(`
Shomei is running (data in ${dataDir}):
  issuer    ${net.issuer.url}   (sandbox offers on; admin token in ${secretsFile})
  verifier  ${net.verifier.url}   (business API key: ${net.apiKey})
Try:  pnpm exec shomei-issuer sandbox offer --issuer ${net.issuer.url} --identity <file.json>
      (the wallet reaches these loopback services with SHOMEI_ALLOW_PRIVATE_NETWORK=1 or shomei --allow-private-network)
Ctrl-C stops both.`);

function prefix(who, text) {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => `[${who}] ${l}\n`)
    .join('');
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    await net.stop();
    process.exit(0);
  });
}
