import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accreditationsFromFile } from './accreditations-file.js';
import { accreditationRoutes } from './routes.js';

const JWT_A = 'eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ.c2ln';
const JWT_B = 'eyJhbGciOiJFUzI1NiJ9.eyJiIjoyfQ.c2ln';

describe('GET /.well-known/shomei-accreditations (contract 3)', () => {
  it('serves an empty list without a file', async () => {
    const res = await accreditationRoutes({}, accreditationsFromFile(undefined)).request('/.well-known/shomei-accreditations');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accreditations: [] });
  });

  it('serves the file and re-reads it when it changes, keeping the last good list on a bad write', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'accr-')), 'accreditations.json');
    writeFileSync(file, JSON.stringify({ accreditations: [JWT_A] }));
    const warnings: string[] = [];
    const app = accreditationRoutes(
      {},
      accreditationsFromFile(file, (m) => warnings.push(m)),
    );
    const get = async () => (await (await app.request('/.well-known/shomei-accreditations')).json()) as { accreditations: string[] };
    expect((await get()).accreditations).toEqual([JWT_A]);
    writeFileSync(file, JSON.stringify({ accreditations: [JWT_A, JWT_B] }));
    expect((await get()).accreditations).toEqual([JWT_A, JWT_B]);
    writeFileSync(file, '{"accreditations": "not a list"}');
    expect((await get()).accreditations).toEqual([JWT_A, JWT_B]);
    expect(warnings).toHaveLength(1);
  });
});
