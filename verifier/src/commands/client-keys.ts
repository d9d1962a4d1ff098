import type { Command, Option } from 'commander';
import { revokeClient, rotateApiKey } from '../clients/api-keys.js';
import { databaseOption, openStoreFrom } from './database-option.js';

/** An operator's action, in the services' log-line format, on stderr (the result goes to stdout). */
function audit(message: string): void {
  console.error(`${new Date().toISOString()} info  audit: ${message}`);
}

interface KeyCommandOptions {
  data: string;
  json?: boolean;
}

/**
 * `shomei-verifier client revoke <id>` and `client rotate-key <id>` (issue 14, item 14). Both act on the
 * database a running service reads on every call, so the old key stops at once without a restart.
 * Each leaves an audit line on stderr, naming the client and never a key; stdout carries only
 * the result (the new key once, for rotate-key), so `--json` output stays machine-readable.
 */
export function registerClientKeyCommands(client: Command, dataOption: () => Option): void {
  client
    .command('rotate-key')
    .description('give a client a new API key (shown once); the old key stops working at once')
    .argument('<id>', 'client id (see shomei-verifier client list)')
    .addOption(dataOption())
    .addOption(databaseOption())
    .option('--json', 'print {"id","name","api_key","sessions_ended"} as JSON')
    .addHelpText(
      'after',
      `
Front-desk browsers signed in with the old key are signed out. Only the new key's hash is stored;
the key is printed once and appears in no log.

Examples:
  shomei-verifier client rotate-key 6f1c…-… --data ./.data/verifier
  shomei-verifier client rotate-key "$CLIENT_ID" --json | jq -r .api_key`,
    )
    .action(async (id: string, opts: KeyCommandOptions) => {
      const store = await openStoreFrom(opts);
      try {
        const { client: rotated, apiKey, sessionsEnded } = await rotateApiKey(store, id, new Date());
        audit(`client ${rotated.id} API key rotated; ${sessionsEnded} front-desk session(s) ended`);
        if (opts.json) {
          console.log(JSON.stringify({ id: rotated.id, name: rotated.name, api_key: apiKey, sessions_ended: sessionsEnded }));
        } else {
          console.log(`New API key for "${rotated.name}" (id ${rotated.id}); the old key no longer works.`);
          console.log('API key (shown only once; store it securely, send it as "Authorization: Bearer <key>"):');
          console.log(apiKey);
        }
      } finally {
        await store.close();
      }
    });

  client
    .command('revoke')
    .description('revoke a client: its API key stops at once (API and front desk) and its front-desk sessions end')
    .argument('<id>', 'client id (see shomei-verifier client list)')
    .addOption(dataOption())
    .addOption(databaseOption())
    .option('--json', 'print {"id","name","revoked_at","already_revoked","sessions_ended"} as JSON')
    .addHelpText(
      'after',
      `
A revoked client cannot be given a new key; create a new client instead. Its requests and evidence
records stay until its retention purges them. Revoking again changes nothing and says so.

Examples:
  shomei-verifier client revoke 6f1c…-… --data ./.data/verifier
  shomei-verifier client revoke "$CLIENT_ID" --json`,
    )
    .action(async (id: string, opts: KeyCommandOptions) => {
      const store = await openStoreFrom(opts);
      try {
        const done = await revokeClient(store, id, new Date());
        const revokedAt = new Date(done.revokedAt).toISOString();
        audit(
          done.alreadyRevoked
            ? `client ${done.client.id} revoke requested again (revoked since ${revokedAt})`
            : `client ${done.client.id} revoked; ${done.sessionsEnded} front-desk session(s) ended`,
        );
        if (opts.json) {
          console.log(
            JSON.stringify({
              id: done.client.id,
              name: done.client.name,
              revoked_at: revokedAt,
              already_revoked: done.alreadyRevoked,
              sessions_ended: done.sessionsEnded,
            }),
          );
        } else if (done.alreadyRevoked) {
          console.log(`Client "${done.client.name}" (id ${done.client.id}) was already revoked at ${revokedAt}.`);
        } else {
          console.log(
            `Revoked client "${done.client.name}" (id ${done.client.id}); its API key no longer works and ${done.sessionsEnded} front-desk session(s) ended.`,
          );
        }
      } finally {
        await store.close();
      }
    });
}
