/**
 * Strings from issuers and verifiers end up on a person's terminal. Control characters could
 * move the cursor or rewrite what a consent screen says, and bidirectional overrides could make
 * one name read as another, so both are removed before anything remote is printed.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function sanitize(value: string, maxLength = 500): string {
  const clean = value.replace(UNSAFE, '').replace(/[\t\n]+/g, ' ');
  const chars = Array.from(clean);
  return chars.length > maxLength ? `${chars.slice(0, maxLength - 1).join('')}…` : clean;
}
