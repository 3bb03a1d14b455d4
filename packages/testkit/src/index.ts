export { createDatabase, dropDatabase, startPostgres } from "./postgres.js";
export { startRedis } from "./redis.js";
export { startS3 } from "./s3.js";
export type {
  PostgresServer,
  RedisOptions,
  RedisServer,
  S3Options,
  S3Server,
  ServerHandle,
  ServerSource,
  StartOptions,
} from "./types.js";
export { useTestServices, type FolioServices } from "./vitest.js";
export { ServiceProcess, freePort, waitReady } from "./service-process.js";
export { TcpProxy, type Direction, type Hold } from "./tcp-proxy.js";
export { rawHttp, type RawResponse } from "./raw-http.js";
export { waitFor, type WaitForOptions } from "./wait-for.js";
