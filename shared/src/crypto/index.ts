// Subpath `@shomei/shared/crypto`: JWS and keys without the rest of the library (Veramo, SQLite),
// for worker threads and other light consumers.
export * from './jws.js';
export * from './keys.js';
export * from './p256.js';
