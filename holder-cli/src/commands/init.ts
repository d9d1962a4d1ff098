import { ShomeiError } from '@shomei/shared';
import type { CliContext } from '../ui/io.js';
import { styleFor } from '../ui/io.js';
import { walletFile } from '../wallet/location.js';
import { initWallet, walletExists } from '../wallet/wallet.js';
import { type GlobalOptions, readPassphrase } from './common.js';

/** `shomei init`: creates the wallet; refuses when one exists. */
export async function initCommand(ctx: CliContext, global: GlobalOptions): Promise<number> {
  // Checked before asking for a passphrase twice; initWallet checks again, atomically.
  if (walletExists(global.home)) throw new ShomeiError('wallet_exists', `a wallet already exists at ${walletFile(global.home)}`);
  const passphrase = await readPassphrase(ctx, { confirm: true });
  const wallet = await initWallet(global.home, passphrase);
  wallet.close();
  const s = styleFor(ctx.stdout, ctx.env);
  ctx.stdout.write(`${s.green('Created wallet')} at ${wallet.file}\n`);
  ctx.stdout.write('Keep your passphrase safe: it cannot be recovered, and without it the wallet cannot be opened.\n');
  return 0;
}
