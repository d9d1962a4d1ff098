import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type AssuranceLevel, ShomeiError, STATUS_LIST_TYP } from '@shomei/shared';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { Hono } from 'hono';
import {
  anchorInfo,
  anchorStatusListToken,
  initAnchor,
  issueAccreditation,
  listAccreditations,
  revokeAccreditation,
} from '../accreditation/anchor.js';

const dirOption = () =>
  new Option('--dir <dir>', 'the anchor directory (key file and registry)').env('SHOMEI_ANCHOR_DIR').makeOptionMandatory();

const days = (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 3650) throw new InvalidArgumentError('must be 1-3650 days');
  return Number(v);
};

/** `shomei-verifier anchor …`: a trust anchor issues and revokes accreditation VC-JWTs. */
export function registerAnchor(program: Command): void {
  const anchor = program
    .command('anchor')
    .description('act as a trust anchor: issue and revoke accreditation credentials (W3C VC-JWT) for KYC bodies')
    .addHelpText(
      'after',
      `
Examples:
  shomei-verifier anchor init --dir ./anchor --status-uri https://anchor.example/status/1
  shomei-verifier anchor issue --dir ./anchor --subject did:web:kyc.example --max-assurance IAL2 > accreditation.jwt
  shomei-verifier anchor revoke --dir ./anchor --id urn:uuid:…
  shomei-verifier anchor serve --dir ./anchor --port 6000`,
    );

  anchor
    .command('init')
    .description('create the anchor key (did:jwk, P-256, via Veramo) and an empty registry')
    .addOption(dirOption())
    .requiredOption('--status-uri <url>', 'where the anchor will publish its revocation status list')
    .option('--json', 'print {"did"} as JSON')
    .addHelpText('after', '\nExample:\n  shomei-verifier anchor init --dir ./anchor --status-uri http://127.0.0.1:6000/status/1')
    .action(async (opts: { dir: string; statusUri: string; json?: boolean }) => {
      const { did } = await initAnchor(opts.dir, opts.statusUri);
      if (opts.json) console.log(JSON.stringify({ did }));
      else console.log(`Anchor created. Its DID (put it in verifiers' trust files under "anchors"):\n${did}`);
    });

  anchor
    .command('issue')
    .description('issue an accreditation VC-JWT to a KYC body and print it')
    .addOption(dirOption())
    .requiredOption('--subject <did>', "the KYC body's DID (did:web of its issuer URL, e.g. did:web:127.0.0.1%3A4000)")
    .option(
      '--vct <vct>',
      'a credential type it may issue (repeatable; default the identity credential)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .addOption(
      new Option('--max-assurance <level>', 'the highest level it may assert').choices(['IAL1', 'IAL2', 'IAL3']).makeOptionMandatory(),
    )
    .option('--valid-days <n>', 'validity in days (default 365)', days, 365)
    .option('--json', 'print {"id","jwt"} as JSON')
    .addHelpText(
      'after',
      '\nThe KYC body publishes the JWT in its accreditations file ({"accreditations":["<jwt>"]}).\n\nExample:\n  shomei-verifier anchor issue --dir ./anchor --subject did:web:kyc.example --max-assurance IAL2 --json',
    )
    .action(
      async (opts: { dir: string; subject: string; vct: string[]; maxAssurance: AssuranceLevel; validDays: number; json?: boolean }) => {
        const vcts = opts.vct.length > 0 ? opts.vct : ['urn:shomei:vct:jp-identity:1'];
        const { id, jwt } = await issueAccreditation(opts.dir, {
          subject: opts.subject,
          vcts,
          maxAssurance: opts.maxAssurance,
          validDays: opts.validDays,
          now: new Date(),
        });
        if (opts.json) console.log(JSON.stringify({ id, jwt }));
        else {
          console.error(`Issued ${id}`);
          console.log(jwt);
        }
      },
    );

  anchor
    .command('revoke')
    .description('revoke an accreditation (its entry in the anchor status list becomes 1)')
    .addOption(dirOption())
    .requiredOption('--id <id>', 'the accreditation id (urn:uuid:…), see "anchor list"')
    .option('--json', 'print the revoked entry as JSON')
    .addHelpText('after', '\nExample:\n  shomei-verifier anchor revoke --dir ./anchor --id urn:uuid:0b7…')
    .action((opts: { dir: string; id: string; json?: boolean }) => {
      const entry = revokeAccreditation(opts.dir, opts.id, new Date());
      if (opts.json) console.log(JSON.stringify(entry));
      else
        console.log(`Revoked ${entry.id} (${entry.subject}) at ${entry.revoked_at}. Verifiers see it at their next status list refresh.`);
    });

  anchor
    .command('list')
    .description('list the accreditations issued')
    .addOption(dirOption())
    .option('--json', 'print a JSON array')
    .action((opts: { dir: string; json?: boolean }) => {
      const all = listAccreditations(opts.dir);
      if (opts.json) console.log(JSON.stringify(all));
      else if (all.length === 0) console.log('No accreditations yet.');
      else {
        for (const a of all) {
          console.log(
            `${a.id}  ${a.subject}  ≤${a.max_assurance}  until ${a.expires_at}${a.revoked_at ? `  REVOKED ${a.revoked_at}` : ''}`,
          );
        }
      }
    });

  anchor
    .command('status-list')
    .description('print the anchor status list token (statuslist+jwt), signed now, for static hosting')
    .addOption(dirOption())
    .action((opts: { dir: string }) => {
      console.log(anchorStatusListToken(opts.dir, new Date()));
    });

  anchor
    .command('serve')
    .description('serve the anchor status list over HTTP at the path of its status URI (signed afresh per request)')
    .addOption(dirOption())
    .option('--host <host>', 'interface', '127.0.0.1')
    .option('--port <port>', 'port (0: the OS picks)', '6000')
    .addHelpText('after', '\nExample:\n  shomei-verifier anchor serve --dir ./anchor --port 6000')
    .action(async (opts: { dir: string; host: string; port: string }) => {
      const { statusUri } = anchorInfo(opts.dir);
      const path = new URL(statusUri).pathname;
      const app = new Hono();
      app.get(path, (c) => c.body(anchorStatusListToken(opts.dir, new Date()), 200, { 'content-type': `application/${STATUS_LIST_TYP}` }));
      if (!/^\d+$/.test(opts.port)) throw new ShomeiError('invalid_request', '--port must be a number');
      const server = serve({ fetch: app.fetch, hostname: opts.host, port: Number(opts.port) });
      await new Promise<void>((r) => server.once('listening', () => r()));
      console.log(`shomei anchor status list on http://${opts.host}:${(server.address() as AddressInfo).port}${path}`);
    });
}
