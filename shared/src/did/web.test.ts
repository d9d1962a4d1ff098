import { describe, expect, it } from 'vitest';
import { didWebDocumentUrl, didWebForOrigin } from './web.js';

describe('did:web', () => {
  it('maps an origin with a port to its DID and back', () => {
    const did = didWebForOrigin('http://127.0.0.1:4000');
    expect(did).toBe('did:web:127.0.0.1%3A4000');
    expect(didWebDocumentUrl(did)).toBe('http://127.0.0.1:4000/.well-known/did.json');
  });

  it('uses https for every host but loopback, and paths per the did:web spec', () => {
    expect(didWebDocumentUrl('did:web:kyc.example.jp')).toBe('https://kyc.example.jp/.well-known/did.json');
    expect(didWebDocumentUrl('did:web:kyc.example.jp:issuers:1')).toBe('https://kyc.example.jp/issuers/1/did.json');
  });
});
