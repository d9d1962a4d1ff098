export const HAPROXY: string;
export interface Frontend {
  /** Names the frontend and its replicas (`issuer` → servers `issuer-1`, `issuer-2`). */
  name: string;
  /** The port HAProxy listens on (pick it first: replicas need their public URL before they start). */
  port: number;
  /** Health check path (GET, expects 2xx). */
  check: string;
  /** Replica ports on 127.0.0.1. */
  replicas: number[];
}
export interface LoadBalancer {
  url(frontend: string): string;
  /** Resolves once the frontend answers its health check through HAProxy. */
  serving(frontend: string): Promise<void>;
  /** Requests each replica (`issuer-1`, …) has answered so far, from HAProxy's log; health checks not counted. */
  servedBy(): Record<string, number>;
  stop(): Promise<void>;
}
export function haproxyConfig(frontends: readonly Frontend[]): string;
/** Starts HAProxy in the foreground and resolves once the frontends in `waitFor` (default all) answer through it. */
export function startLoadBalancer(
  frontends: readonly Frontend[],
  options?: { timeoutMs?: number; waitFor?: string[] },
): Promise<LoadBalancer>;
