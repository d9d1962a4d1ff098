/**
 * Seals personal values at rest (the KeyVault does); `aad` binds a ciphertext to its row. Its own
 * module because both the service context and the evidence records need it, and neither may
 * import the other.
 */
export interface Sealer {
  seal(plaintext: string, aad: string): string;
  unseal(sealed: string, aad: string): string;
}
