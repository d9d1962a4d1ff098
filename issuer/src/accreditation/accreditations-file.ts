import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';

/** Env var naming the accreditations file (contract 3); `--accreditations <file>` sets it for `serve`. */
export const ACCREDITATIONS_ENV = 'SHOMEI_ISSUER_ACCREDITATIONS';

const fileSchema = z.strictObject({
  accreditations: z
    .array(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a compact JWT')
        .max(16 * 1024),
    )
    .max(32),
});

export interface AccreditationSource {
  /** The VC-JWTs to publish; re-read when the file's size or mtime changes. Never throws. */
  current(): string[];
}

/**
 * The issuer's accreditation VC-JWTs (issued by trust anchors) from a JSON file
 * `{"accreditations":["<VC-JWT>", …]}`. The file is re-read when it changes; a file that
 * cannot be read or parsed keeps the last good list (empty at first) and logs once per change.
 */
export function accreditationsFromFile(file: string | undefined, warn: (m: string) => void = () => {}): AccreditationSource {
  if (!file) return { current: () => [] };
  let stamp = '';
  let list: string[] = [];
  return {
    current() {
      let now: string;
      try {
        const st = statSync(file);
        now = `${st.size}:${st.mtimeMs}`;
      } catch {
        now = 'missing';
      }
      if (now === stamp) return list;
      stamp = now;
      try {
        list = fileSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).accreditations;
      } catch {
        warn(`accreditations: ${file} could not be read as {"accreditations":[VC-JWT…]}; publishing the last good list (${list.length})`);
      }
      return list;
    },
  };
}

/** For `serve --accreditations <file>`: hands the file to the route through its env var. */
export function accreditationsOption(file: string): string {
  process.env[ACCREDITATIONS_ENV] = file;
  return file;
}
