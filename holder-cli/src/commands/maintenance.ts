import { chmodSync, closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { type CliContext, styleFor } from '../ui/io.js';
import { exportBackup, importBackup, openBackup } from '../wallet/backup.js';
import { walletFile } from '../wallet/location.js';
import { changePassphrase } from '../wallet/rekey.js';
import { initWallet, walletExists } from '../wallet/wallet.js';
import { type GlobalOptions, printJson, readPassphrase, withWallet } from './common.js';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A new passphrase: SHOMEI_NEW_PASSPHRASE, else asked twice on the terminal. */
async function readNewPassphrase(ctx: CliContext, envName: string, what: string): Promise<string> {
  const fromEnv = ctx.env[envName];
  if (fromEnv) return fromEnv;
  if (!ctx.prompter) throw new UsageError(`no ${what}: set ${envName} or run shomei in a terminal`);
  const first = await ctx.prompter.hidden(`${what[0]?.toUpperCase()}${what.slice(1)}: `);
  if (first.length === 0) throw new UsageError(`the ${what} must not be empty`);
  const again = await ctx.prompter.hidden(`Repeat the ${what}: `);
  if (again !== first) throw new UsageError(`the ${what}s do not match`);
  return first;
}

/** `shomei passphrase change`: re-encrypts the wallet under a new passphrase. */
export async function passphraseChangeCommand(ctx: CliContext, global: GlobalOptions): Promise<number> {
  await withWallet(ctx, global, async (wallet) => {
    const next = await readNewPassphrase(ctx, 'SHOMEI_NEW_PASSPHRASE', 'new passphrase');
    await changePassphrase(wallet, next);
  });
  ctx.stdout.write(
    `${styleFor(ctx.stdout, ctx.env).green('Passphrase changed.')} The old one no longer opens ${walletFile(global.home)}.\n`,
  );
  return 0;
}

/** Writes `text` to `file` (0600) through a temporary file and a rename: never a half-written backup. */
function writeNewFile(file: string, text: string, force: boolean): void {
  const tmp = join(dirname(file), `.${Date.now()}-${process.pid}.shomei-backup.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  try {
    if (!force) {
      // Fails if the target exists; then rename over the empty placeholder.
      closeSync(openSync(file, 'wx', 0o600));
    }
    renameSync(tmp, file);
    chmodSync(file, 0o600);
  } catch (e) {
    rmSync(tmp, { force: true });
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} exists; choose another name or pass --force`);
    throw e;
  }
}

/** `shomei export <file>`: an encrypted backup of the whole wallet. */
export async function exportCommand(
  ctx: CliContext,
  global: GlobalOptions,
  file: string,
  options: { force?: boolean | undefined; json?: boolean | undefined },
): Promise<number> {
  const target = resolve(file);
  const summary = await withWallet(ctx, global, async (wallet) => {
    const backupPassphrase = await readNewPassphrase(ctx, 'SHOMEI_BACKUP_PASSPHRASE', 'backup passphrase');
    writeNewFile(target, await exportBackup(wallet, backupPassphrase, ctx.now()), options.force === true);
    return { credentials: wallet.credentials.batches().length, history: wallet.history.list().length };
  });
  if (options.json) {
    printJson(ctx, { file: target, ...summary });
    return 0;
  }
  ctx.stdout.write(
    `${styleFor(ctx.stdout, ctx.env).green('Backup written')} to ${target} (${count(summary.credentials, 'credential', 'credentials')}, ${count(summary.history, 'history entry', 'history entries')}).\n`,
  );
  ctx.stdout.write('It is encrypted under the backup passphrase: keep both, separately. `shomei import` restores it.\n');
  return 0;
}

/** `shomei import <file>`: restores a backup, creating the wallet when there is none. */
export async function importCommand(
  ctx: CliContext,
  global: GlobalOptions,
  file: string,
  options: { json?: boolean | undefined },
): Promise<number> {
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no file ${resolve(file)}`);
    throw e;
  }
  const backupPassphrase =
    ctx.env.SHOMEI_BACKUP_PASSPHRASE ||
    (ctx.prompter ? await ctx.prompter.hidden('Backup passphrase: ') : undefined) ||
    (() => {
      throw new UsageError('no backup passphrase: set SHOMEI_BACKUP_PASSPHRASE or run shomei in a terminal');
    })();
  // The backup is opened before the wallet is touched: a wrong passphrase changes nothing.
  const contents = openBackup(text, backupPassphrase);
  const created = !walletExists(global.home);
  let summary: Awaited<ReturnType<typeof importBackup>>;
  if (created) {
    const passphrase = await readPassphrase(ctx, { confirm: true });
    const wallet = await initWallet(global.home, passphrase);
    try {
      summary = await importBackup(wallet, contents);
    } catch (e) {
      wallet.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${wallet.file}${suffix}`, { force: true });
      throw e;
    }
    wallet.close();
  } else {
    summary = await withWallet(ctx, global, async (wallet) => importBackup(wallet, contents));
  }
  if (options.json) {
    printJson(ctx, { wallet: walletFile(global.home), created, ...summary });
    return 0;
  }
  const s = styleFor(ctx.stdout, ctx.env);
  ctx.stdout.write(
    `${s.green('Imported')} ${count(summary.credentials, 'credential copy', 'credential copies')}, ${count(summary.keys, 'holder key', 'holder keys')} and ${count(summary.history, 'history entry', 'history entries')} into ${
      created ? 'a new wallet at ' : ''
    }${walletFile(global.home)}${summary.skipped > 0 ? ` (${summary.skipped} already there)` : ''}.\n`,
  );
  return 0;
}
