import type { ChildProcess } from 'node:child_process';

export const ROOT: string;
export const BIN: { issuer: string; verifier: string; wallet: string };
export function newSecret(): string;

export interface Service {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}
export function startService(
  bin: string,
  args: string[],
  options?: { env?: Record<string, string>; timeoutMs?: number; onOutput?: (text: string) => void },
): Promise<Service>;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}
export interface CliOptions {
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}
export function runCli(bin: string, args: string[], options?: CliOptions): Promise<CliResult>;
export function mustRun(bin: string, args: string[], options?: CliOptions): Promise<CliResult>;

export const DEMO_IDENTITY: Record<string, unknown> & { family_name: string; given_name: string; birthdate: string };

export interface SandboxOfferOutput {
  offer_uri: string;
  offer_uri_by_reference?: string;
  tx_code: string;
  [field: string]: unknown;
}
export function sandboxOfferByCli(issuerUrl: string, adminToken: string, dir: string, identity?: unknown): Promise<SandboxOfferOutput>;

export interface Network {
  issuer: Service;
  verifier: Service;
  adminToken: string;
  apiKey: string;
  stop(): Promise<void>;
}
export function startNetwork(
  dataDir: string,
  options?: {
    onOutput?: (who: string, text: string) => void;
    ports?: { issuer: number; verifier: number };
    secrets?: { issuerSecret?: string; verifierSecret?: string; adminToken?: string; apiKey?: string };
  },
): Promise<Network>;

export function createPresentationRequest(
  verifierUrl: string,
  apiKey: string,
  body: Record<string, unknown>,
): Promise<{ id: string; request_uri: string; status: string; expires_at: string }>;
export function getPresentationRequest(verifierUrl: string, apiKey: string, id: string): Promise<Record<string, unknown>>;
