import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KeyVault, type SqlDatabase } from '@shomei/shared';
import type { Command } from 'commander';
import { createAdminToken, listAdminTokens, parseScopes, revokeAdminToken } from './admin/tokens.js';
import { appendAudit, exportAudit, verifyAudit } from './audit/audit-log.js';
import { DEFAULT_DATA_DIR, ENV, resolveSecret } from './config.js';
import { openIssuerDatabase } from './database.js';
import { SIGNING_KEY_PURPOSE } from './keys.js';
import type { JpkiAttributes } from './proofing/jpki/attributes.js';
import { initTestCaDir, issueIntoDir, revokeInDir } from './proofing/jpki/test-ca.js';

const NAME = 'shomei-issuer';

interface DataFlags {
  data?: string;
  database?: string;
  json?: boolean;
}

/** `--database`, else `SHOMEI_DATABASE_URL`, else `<data>/issuer.db`: the same database `serve` uses. */
function databaseOf(flags: DataFlags): string {
  return flags.database ?? process.env[ENV.database] ?? join(resolve(flags.data ?? process.env[ENV.data] ?? DEFAULT_DATA_DIR), 'issuer.db');
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

async function withDb<T>(flags: DataFlags, f: (db: SqlDatabase) => Promise<T>): Promise<T> {
  const db = await openIssuerDatabase(databaseOf(flags), { max: 2 });
  try {
    return await f(db);
  } finally {
    await db.close();
  }
}

const dataOption = ['--data <dir>', `directory of issuer.db (env ${ENV.data}; default ${DEFAULT_DATA_DIR})`] as const;
const databaseOption = [
  '--database <url-or-file>',
  `PostgreSQL URL or SQLite file, as serve takes it (env ${ENV.database}; default <data>/issuer.db)`,
] as const;

/** `token`, `audit`, `keys` and `jpki` commands: what an operator runs beside the service. */
export function registerOperatorCommands(program: Command, fail: (message: string) => never): void {
  const token = program.command('token').description('admin API tokens (scopes: review, issue, revoke, audit)');
  token
    .command('create')
    .description('create an admin token and print it once (only its digest is stored)')
    .requiredOption('--name <name>', 'who or what holds the token (shown in the audit log as admin:<name>)')
    .requiredOption('--scope <scopes>', 'comma-separated scopes: review, issue, revoke, audit')
    .option(...dataOption)
    .option(...databaseOption)
    .option('--json', 'print {id, name, scopes, token} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  ${NAME} token create --name alice --scope review
  ${NAME} token create --name ops-bot --scope revoke,audit --data /var/lib/shomei --json`,
    )
    .action(async (flags: DataFlags & { name: string; scope: string }) => {
      const scopes = parseScopes(flags.scope);
      const created = await withDb(flags, async (db) => {
        const t = await createAdminToken(db, new Date(), flags.name, scopes);
        await appendAudit(db, () => new Date(), {
          actor: 'cli',
          action: 'admin_token.created',
          subject: t.id,
          data: { name: t.name, scopes },
        });
        return t;
      });
      if (flags.json) return out(JSON.stringify(created, null, 2));
      out(`admin token ${created.name} (${created.scopes.join(', ')})\n${created.token}\nKeep it secret: it is shown only now.`);
    });
  token
    .command('list')
    .description('list admin tokens (never their values)')
    .option(...dataOption)
    .option(...databaseOption)
    .option('--json', 'print as JSON')
    .addHelpText('after', `\nExample:\n  ${NAME} token list --json`)
    .action(async (flags: DataFlags) => {
      const rows = await withDb(flags, (db) => listAdminTokens(db));
      if (flags.json) return out(JSON.stringify(rows, null, 2));
      for (const r of rows) {
        out(`${r.id}  ${r.name.padEnd(16)} ${r.scopes.padEnd(28)} ${r.revoked_at ? 'revoked' : 'active'}`);
      }
    });
  token
    .command('revoke <id-or-name>')
    .description('revoke an admin token')
    .option(...dataOption)
    .option(...databaseOption)
    .addHelpText('after', `\nExample:\n  ${NAME} token revoke alice`)
    .action(async (idOrName: string, flags: DataFlags) => {
      const n = await withDb(flags, async (db) => {
        const changed = await revokeAdminToken(db, idOrName, new Date());
        if (changed) await appendAudit(db, () => new Date(), { actor: 'cli', action: 'admin_token.revoked', data: { token: idOrName } });
        return changed;
      });
      if (n === 0) fail('no active token with that id or name');
      out(`revoked ${n} token(s)`);
    });

  const audit = program.command('audit').description('the append-only, hash-chained audit log');
  audit
    .command('verify')
    .description('check the hash chain: exits 1 if an entry was edited, removed or reordered')
    .option(...dataOption)
    .option(...databaseOption)
    .option('--head <hash>', 'the head hash recorded earlier, to detect a removed tail')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `\nExamples:\n  ${NAME} audit verify\n  ${NAME} audit verify --head 3f2a… --json`)
    .action(async (flags: DataFlags & { head?: string }) => {
      const result = await withDb(flags, (db) => verifyAudit(db, flags.head));
      if (flags.json) out(JSON.stringify(result, null, 2));
      else if (result.ok) out(`audit log intact: ${result.entries} entries, head ${result.head}`);
      else out(`audit log BROKEN at entry ${result.problem?.seq}: ${result.problem?.message}`);
      if (!result.ok) process.exitCode = 1;
    });
  audit
    .command('export')
    .description('write every entry, oldest first, as JSON Lines')
    .option(...dataOption)
    .option(...databaseOption)
    .option('--out <file>', 'write to a file instead of stdout')
    .addHelpText('after', `\nExamples:\n  ${NAME} audit export > audit.jsonl\n  ${NAME} audit export --out /backup/audit.jsonl`)
    .action(async (flags: DataFlags & { out?: string }) => {
      const lines = await withDb(flags, async (db) => {
        const all: string[] = [];
        for await (const line of exportAudit(db)) all.push(line);
        return all;
      });
      const text = lines.map((l) => `${l}\n`).join('');
      if (flags.out) {
        writeFileSync(flags.out, text);
        process.stderr.write(`${lines.length} entries written to ${flags.out}\n`);
      } else process.stdout.write(text);
    });

  const keys = program.command('keys').description("the issuer's signing keys");
  keys
    .command('rotate')
    .description('add a new signing key; it signs after the next start, older keys stay published so their credentials keep verifying')
    .option(...dataOption)
    .option(...databaseOption)
    .option('--secret-file <path>', `file holding the key-vault secret (else env ${ENV.secret})`)
    .option('--json', 'print {kid, keys} as JSON')
    .addHelpText('after', `\nExample:\n  SHOMEI_ISSUER_SECRET=… ${NAME} keys rotate --data /var/lib/shomei   # then restart serve`)
    .action(async (flags: DataFlags & { secretFile?: string }) => {
      const { secret } = resolveSecret(flags, process.env);
      await withDb(flags, async (db) => {
        const vault = await KeyVault.open(db, secret);
        const key = await vault.createEs256Key(SIGNING_KEY_PURPOSE);
        const all = await vault.keysFor(SIGNING_KEY_PURPOSE);
        await appendAudit(db, () => new Date(), { actor: 'cli', action: 'key.rotated', subject: key.kid, data: { keys: all.length } });
        if (flags.json) out(JSON.stringify({ kid: key.kid, keys: all.length }, null, 2));
        else out(`new signing key ${key.kid} (${all.length} keys published); restart the service for it to sign`);
      });
    });

  const jpki = program.command('jpki').description('JPKI-style signing certificates');
  const ca = jpki.command('test-ca').description('a TEST certificate authority shaped like the JPKI signing CA (demos and tests only)');
  ca.command('init')
    .description('create ca.pem, ca-key.pem and an empty crl.pem in a directory')
    .requiredOption('--dir <dir>', 'directory for the CA files')
    .addHelpText(
      'after',
      `\nExample:\n  ${NAME} jpki test-ca init --dir ./test-ca\n  ${NAME} serve --jpki-anchors ./test-ca/ca.pem --jpki-crl ./test-ca/crl.pem`,
    )
    .action(async (flags: { dir: string }) => {
      const files = await initTestCaDir(flags.dir);
      out(`test CA: ${files.cert}\nCRL:     ${files.crl}`);
    });
  ca.command('issue')
    .description('issue an applicant signing certificate carrying the four basic attributes')
    .requiredOption('--dir <dir>', 'directory of the test CA')
    .requiredOption('--name <file-name>', 'base name of the files written (<name>.pem, <name>-key.pem)')
    .requiredOption(
      '--attributes <file>',
      'JSON {"name":"山田 太郎","gender":"1","birthdate":"19910814","address":"東京都千代田区千代田1-1"}',
    )
    .option('--expired', 'make it already expired (to see the refusal)')
    .option('--json', 'print {cert, key, serial} as JSON')
    .addHelpText(
      'after',
      `
gender: 1 male, 2 female, 3 other; birthdate YYYYMMDD; address as on the card.

Example:
  ${NAME} jpki test-ca issue --dir ./test-ca --name taro --attributes taro-jpki.json`,
    )
    .action(async (flags: { dir: string; name: string; attributes: string; expired?: boolean; json?: boolean }) => {
      let attrs: JpkiAttributes;
      try {
        attrs = JSON.parse(readFileSync(flags.attributes, 'utf8')) as JpkiAttributes;
      } catch {
        fail(`cannot read the attributes from ${flags.attributes}`);
      }
      const files = await issueIntoDir(flags.dir, flags.name, attrs, { expired: flags.expired });
      if (flags.json) return out(JSON.stringify(files, null, 2));
      out(`certificate: ${files.cert}\nprivate key: ${files.key}\nserial:      ${files.serial}`);
    });
  ca.command('revoke')
    .description('list a certificate on the test CA CRL (crl.pem is rewritten)')
    .requiredOption('--dir <dir>', 'directory of the test CA')
    .requiredOption('--cert <pem>', 'the certificate to revoke')
    .addHelpText('after', `\nExample:\n  ${NAME} jpki test-ca revoke --dir ./test-ca --cert ./test-ca/taro.pem`)
    .action(async (flags: { dir: string; cert: string }) => {
      const r = await revokeInDir(flags.dir, readFileSync(flags.cert, 'utf8'));
      out(`revoked ${r.serial}; ${r.crl} now lists ${r.revoked} certificate(s)`);
    });
}
