export interface PostgresServer {
  /** The maintenance database's URL (`postgres`), for creating databases. */
  url: string;
  stop(): Promise<void>;
}
/** A PostgreSQL binary from Debian's versioned folder (newest version), or from PATH. */
export function postgresBinary(name: 'initdb' | 'pg_ctl' | 'postgres'): string;
/** initdb into a temporary folder, pg_ctl start on a free loopback port, durability off; as root, runs as `postgres`. */
export function startPostgresServer(): Promise<PostgresServer>;
/** A port free on 127.0.0.1 at the time of asking. */
export function freePort(): Promise<number>;
