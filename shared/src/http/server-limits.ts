import type { ServerOptions } from 'node:http';

/**
 * Connection limits for the services' Node HTTP servers: a client must send its headers within 10 s
 * (slowloris) and its whole request within 120 s (uploads of up to 2 × 4 MiB included); idle
 * keep-alive connections close after 5 s; headers are capped at 16 KiB. The deadlines are checked
 * every second (Node's default is every 30 s).
 */
export const SERVER_LIMITS = {
  headersTimeout: 10_000,
  requestTimeout: 120_000,
  keepAliveTimeout: 5_000,
  maxHeaderSize: 16 * 1024,
  connectionsCheckingInterval: 1_000,
} as const;

export function serverLimits(): ServerOptions {
  return { ...SERVER_LIMITS };
}
