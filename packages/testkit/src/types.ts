/** Where a server comes from, in the order they are tried. */
export type ServerSource = "environment" | "local" | "container";

export interface ServerHandle {
  readonly source: ServerSource;
  /** False for a server named in the environment: tests can use it but not stop, kill or restart it. */
  readonly controllable: boolean;
  readonly running: boolean;
  /** Graceful shutdown; the data stays for start(). */
  stop(): Promise<void>;
  /** SIGKILL to the server and every process it forked, as when a container is OOM-killed; waits for the exit. */
  kill(): Promise<void>;
  /** Starts again on the same port and data, and waits until the server answers. */
  start(): Promise<void>;
  /** Stops the server and deletes its data; the handle is done. A no-op for servers named in the environment. */
  dispose(): Promise<void>;
}

export interface PostgresServer extends ServerHandle {
  /** Superuser URL of the `postgres` database. Give each test file its own database with createDatabase(). */
  readonly url: string;
}

export interface RedisServer extends ServerHandle {
  readonly url: string;
}

export interface S3Server extends ServerHandle {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface StartOptions {
  /**
   * Use the server named by the FOLIO_TEST_* variables when they are set (default true). Tests that kill or
   * restart their server pass false to always get one of their own.
   */
  allowExternal?: boolean;
}

export interface RedisOptions extends StartOptions {
  /** Log every write to an append-only file, so data survives a restart. Default: true when appendfsync is set. */
  appendonly?: boolean;
  /** "always" fsyncs before acknowledging each write, so even kill -9 loses nothing. Default "everysec". */
  appendfsync?: "always" | "everysec";
}

export interface S3Options extends StartOptions {
  /** Region the server signs for. Default FOLIO_TEST_S3_REGION, else us-east-1. */
  region?: string;
}
