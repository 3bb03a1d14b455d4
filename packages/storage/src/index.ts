/**
 * Object storage through the S3 API, so the same code talks to the in-cluster S3 server (versitygw),
 * AWS S3 or any other S3-compatible service. Path-style addressing (http://host/bucket/key) because
 * in-cluster servers have no wildcard DNS for virtual-hosted buckets.
 */
import type { Readable } from "node:stream";
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { bool, isNetworkError, positiveInt, url, z } from "@folio/config";

export interface StorageSettings {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  /** Per-request timeout, so a hung storage server becomes an error, not a hung request. */
  requestTimeoutMs?: number;
}

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified?: Date;
}

export interface Storage {
  readonly bucket: string;
  readonly client: S3Client;
  ensureBucket(): Promise<void>;
  /** Streams `body` to `key` (multipart for large bodies); returns the bytes written. */
  put(key: string, body: Readable | Buffer, contentType: string, signal?: AbortSignal): Promise<void>;
  get(key: string): Promise<{ body: Readable; contentType?: string; contentLength?: number; etag?: string }>;
  head(key: string): Promise<ObjectInfo | undefined>;
  delete(keys: string[]): Promise<void>;
  list(prefix: string, startAfter?: string): AsyncGenerator<ObjectInfo>;
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
  destroy(): void;
}

/** Bodies larger than this go up as a multipart upload, in parts of this size (S3 allows 5 MiB to 5 GiB). */
const PART_BYTES = 8 * 1024 * 1024;

export function createStorage(settings: StorageSettings): Storage {
  const client = new S3Client({
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    requestHandler: { requestTimeout: settings.requestTimeoutMs ?? 30_000, connectionTimeout: 3_000 },
    // Checksums on every request are the SDK default since 2025; some S3-compatible servers reject them.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 3,
  });
  const Bucket = settings.bucket;

  return {
    bucket: Bucket,
    client,

    async ensureBucket() {
      try {
        await guard(client.send(new HeadBucketCommand({ Bucket })));
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await guard(client.send(new CreateBucketCommand({ Bucket })));
      }
    },

    async put(key, body, contentType, signal) {
      if (Buffer.isBuffer(body) && body.length <= PART_BYTES) {
        // One request, without lib-storage's buffering and part bookkeeping: the worker's variants take this path.
        await guard(client.send(new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: contentType }), { abortSignal: signal }));
        return;
      }
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: body, ContentType: contentType },
        queueSize: 2,
        partSize: PART_BYTES,
        leavePartsOnError: false,
      });
      const abort = () => void upload.abort();
      signal?.addEventListener("abort", abort, { once: true });
      try {
        await guard(upload.done());
      } finally {
        signal?.removeEventListener("abort", abort);
      }
    },

    async get(key) {
      const result = await guard(client.send(new GetObjectCommand({ Bucket, Key: key })));
      return {
        body: result.Body as Readable,
        contentType: result.ContentType,
        contentLength: result.ContentLength,
        etag: result.ETag,
      };
    },

    async head(key) {
      try {
        const result = await guard(client.send(new HeadObjectCommand({ Bucket, Key: key })));
        return { key, size: result.ContentLength ?? 0, lastModified: result.LastModified };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async delete(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        if (batch.length === 0) continue;
        const result = await guard(client.send(
          new DeleteObjectsCommand({ Bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        ));
        const failed = (result.Errors ?? []).filter((error) => error.Code !== "NoSuchKey");
        if (failed.length > 0) {
          throw new Error(`could not delete ${failed.length} object(s): ${failed.map((e) => `${e.Key}: ${e.Code}`).join(", ")}`);
        }
      }
    },

    async *list(prefix, startAfter) {
      let token: string | undefined;
      do {
        const result = await guard(client.send(
          new ListObjectsV2Command({
            Bucket,
            Prefix: prefix,
            ContinuationToken: token,
            ...(token ? {} : startAfter ? { StartAfter: startAfter } : {}),
          }),
        ));
        for (const object of result.Contents ?? []) {
          if (object.Key) yield { key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified };
        }
        token = result.IsTruncated ? result.NextContinuationToken : undefined;
      } while (token);
    },

    presignGet(key, expiresInSeconds) {
      return getSignedUrl(client, new GetObjectCommand({ Bucket, Key: key }), { expiresIn: expiresInSeconds });
    },

    destroy() {
      client.destroy();
    },
  };
}

export function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) {
    return error.$metadata.httpStatusCode === 404 || error.name === "NotFound" || error.name === "NoSuchKey" || error.name === "NoSuchBucket";
  }
  return false;
}

/**
 * The storage server is unreachable or failing (network error, timeout, 5xx). A class of its own, so callers
 * can tell "S3 is down" from "Postgres is down": both surface as ECONNREFUSED from Node otherwise.
 */
export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`object storage unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "StorageUnavailableError";
  }
}

function guard<T>(operation: Promise<T>): Promise<T> {
  return operation.catch((error: unknown) => {
    const status = error instanceof S3ServiceException ? (error.$metadata.httpStatusCode ?? 0) : 0;
    const name = (error as { name?: unknown } | null)?.name;
    if (status >= 500 || isNetworkError(error) || name === "TimeoutError") {
      throw new StorageUnavailableError(error);
    }
    throw error;
  });
}

/** Storage errors that are worth a 503 (server unreachable or failing), as opposed to bugs. */
export function isStorageUnavailable(error: unknown): boolean {
  return error instanceof StorageUnavailableError;
}

/** Object keys: one prefix per media item, so deleting or listing one item's objects is a prefix operation. */
export const mediaKeys = {
  prefix: (mediaId: string) => `media/${mediaId}/`,
  original: (mediaId: string) => `media/${mediaId}/original`,
  variant: (mediaId: string, name: string, extension: string) => `media/${mediaId}/${name}.${extension}`,
};

/**
 * The S3 settings every service reads, as a fragment of its config schema (spread it into the app's z.object),
 * so the names, defaults and descriptions are declared once.
 */
export function s3ConfigSchema(requestTimeoutMs: number) {
  return {
    S3_ENDPOINT: url(["http", "https"]).optional().describe("S3 endpoint; unset for AWS S3"),
    S3_REGION: z.string().default("us-east-1").describe("S3 region"),
    S3_BUCKET: z.string().min(3).default("folio-media").describe("bucket for originals and variants"),
    S3_ACCESS_KEY_ID: z.string().min(1).describe("S3 access key id"),
    S3_SECRET_ACCESS_KEY: z.string().min(1).describe("S3 secret access key"),
    S3_FORCE_PATH_STYLE: bool(true).describe("path-style URLs (needed by in-cluster S3 servers)"),
    S3_REQUEST_TIMEOUT_MS: positiveInt(requestTimeoutMs).describe("per-request timeout for S3 calls; a hung server becomes an error"),
  };
}

export interface S3Config {
  S3_ENDPOINT?: string;
  S3_REGION: string;
  S3_BUCKET: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
  S3_FORCE_PATH_STYLE: boolean;
  S3_REQUEST_TIMEOUT_MS: number;
}

export function storageFromConfig(config: S3Config): Storage {
  return createStorage({
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    bucket: config.S3_BUCKET,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    requestTimeoutMs: config.S3_REQUEST_TIMEOUT_MS,
  });
}
