import { Hono } from 'hono';
import { ACCREDITATIONS_ENV, type AccreditationSource, accreditationsFromFile } from './accreditations-file.js';

export const ACCREDITATIONS_PATH = '/.well-known/shomei-accreditations';

/**
 * `GET /.well-known/shomei-accreditations` → `{"accreditations":["<VC-JWT>", …]}` (contract 3):
 * the accreditations trust anchors issued to this KYC body, which verifiers configured with an
 * anchor check. The list comes from `--accreditations <file>` / env SHOMEI_ISSUER_ACCREDITATIONS.
 */
export function accreditationRoutes(
  deps: { log?: (line: string) => void } = {},
  source: AccreditationSource = accreditationsFromFile(process.env[ACCREDITATIONS_ENV], (m) => deps.log?.(m)),
): Hono {
  const app = new Hono();
  app.get(ACCREDITATIONS_PATH, (c) => {
    c.header('cache-control', 'public, max-age=60');
    return c.json({ accreditations: source.current() });
  });
  return app;
}
