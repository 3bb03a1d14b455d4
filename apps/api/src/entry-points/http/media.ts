/**
 * Media: upload (streamed to S3, typed by magic bytes), list, fetch, delete.
 *
 * Order of an upload, and what a crash at each point leaves behind:
 *   1. stream the original to S3            → crash: an orphan object; the cleanup job removes it
 *   2. insert the media row (pending)       → crash: row pending, no job; the worker's reconciler enqueues it
 *      (+ the Idempotency-Key response, in the same transaction)
 *   3. enqueue the job (id from media id)   → Redis down: 503, row stays pending for the reconciler
 */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import busboy from "busboy";
import type { Request } from "express";
import { z } from "zod";
import { isRedisUnavailable } from "@folio/config";
import { mediaRepo } from "@folio/db";
import { AppError, unstorableText, type ApiRouter, type RouteSpec } from "@folio/http-kit";
import { enqueueMedia } from "@folio/queue";
import { isNotFound, mediaKeys } from "@folio/storage";
import type { AppDeps } from "../../deps.js";
import type { Idempotency } from "../../domain/idempotency.js";
import type { PublicCache } from "@folio/cache";
import { SNIFF_BYTES, detectImageType, type DetectedType } from "../../domain/magic-bytes.js";
import { idempotencyKeyHeader } from "./respond.js";
import { presentMedia } from "./presenters.js";
import { cursorQuery, limitQuery, mediaSchema, page, uuidParam } from "./schemas.js";

const idParams = z.object({ id: uuidParam });

interface Received {
  filename: string;
  type: DetectedType;
  size: number;
}

const onePart = () =>
  new AppError("validation", 400, 'The upload must have exactly one file part, named "file".', {
    errors: [{ in: "body", path: "file", message: "exactly one file part" }],
  });

/**
 * Parses the multipart body and streams its one `file` part to S3 under `key`, checking the filename before anything
 * is written, then the type from the first bytes and the size as it goes. Rejects with 400/413/415 problems, and
 * only once nothing is left behind: an upload in flight is aborted, and an object already written is deleted.
 */
function receiveUpload(req: Request, deps: AppDeps, key: string): Promise<Received> {
  const maxBytes = deps.config.MEDIA_MAX_BYTES;
  return new Promise<Received>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // Browsers send a non-ASCII filename as raw UTF-8 bytes (the HTML standard's multipart encoding); busboy
        // would read them as Latin-1 and store "café" as "cafÃ©". filename*=UTF-8''… is decoded either way.
        defParamCharset: "utf8",
        limits: { files: 1, fileSize: maxBytes, fields: 10, fieldSize: 1024, parts: 12 },
      });
    } catch (error) {
      reject(new AppError("validation", 400, "The multipart body is malformed.", { cause: error }));
      return;
    }
    let upload: Promise<Received> | undefined;
    let uploadSettled = false;
    let settled = false;
    const abort = new AbortController();

    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      req.resume();
      if (!upload) {
        reject(error);
        return;
      }
      // A stored or half-sent original must not outlive the rejection: stop the upload, wait for it, delete the key.
      // (An upload that failed on its own wrote nothing: lib-storage aborts its multipart upload.)
      const mayHaveWritten = !uploadSettled;
      abort.abort();
      parser.destroy(); // ends the file stream the upload is reading, if it is still open
      upload
        .then(
          () => true,
          () => mayHaveWritten,
        )
        .then((written) => (written ? deps.storage.delete([key]) : undefined))
        .catch((cleanupError: unknown) => req.log.warn({ err: cleanupError, key }, "rejected upload's object left for the cleanup job"))
        .finally(() => reject(error));
    };

    parser.on("file", (field, file, info) => {
      if (settled) {
        file.resume(); // parts the parser had buffered before the request was refused
        return;
      }
      // Any second file part is refused (filesLimit below); a first one under another name is refused here.
      if (field !== "file") {
        file.resume();
        fail(onePart());
        return;
      }
      const filename = info.filename ?? "";
      const problem = unstorableText(filename);
      if (problem) {
        file.resume();
        fail(new AppError("validation", 400, "The filename is invalid.", { errors: [{ in: "body", path: "file.filename", message: problem }] }));
        return;
      }
      upload = (async () => {
        const chunks: Buffer[] = [];
        let head = Buffer.alloc(0);
        const iterator = file[Symbol.asyncIterator]();
        // Read just enough to know what the file is before sending a byte to S3.
        while (head.length < SNIFF_BYTES) {
          const next = await iterator.next();
          if (next.done) break;
          chunks.push(next.value as Buffer);
          head = Buffer.concat(chunks);
        }
        const type = detectImageType(head);
        if (!type) {
          file.resume();
          throw new AppError("unsupported_media_type", 415, "Only JPEG, PNG, GIF, WebP and AVIF images are accepted (judged by content, not name).");
        }
        let size = 0;
        const body = Readable.from(
          (async function* () {
            for (const chunk of chunks) {
              size += chunk.length;
              yield chunk;
            }
            for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
              size += (next.value as Buffer).length;
              yield next.value as Buffer;
            }
            if ((file as { truncated?: boolean }).truncated) {
              throw new AppError("body_too_large", 413, `The file is larger than ${maxBytes} bytes.`);
            }
          })(),
        );
        try {
          await deps.storage.put(key, body, type.contentType, abort.signal);
        } catch (error) {
          // The generator's own error (413) is the interesting one; the SDK may wrap or replace it.
          if ((file as { truncated?: boolean }).truncated) throw new AppError("body_too_large", 413, `The file is larger than ${maxBytes} bytes.`);
          throw error;
        }
        if (size === 0) throw new AppError("validation", 400, "The file is empty.");
        // 255 characters, counted in code points so that a cut never splits a surrogate pair.
        return { filename: Array.from(filename).slice(0, 255).join("") || "upload", type, size };
      })();
      upload.then(
        () => (uploadSettled = true),
        () => {
          uploadSettled = true;
          abort.abort();
        },
      );
    });
    parser.on("filesLimit", () => fail(onePart()));
    // Nor any text field: the document says the body is the one `file` part, so nothing else can be sent unnoticed.
    parser.on("field", () => fail(onePart()));
    parser.on("error", (error) => fail(new AppError("validation", 400, "The multipart body is malformed.", { cause: error })));
    parser.on("close", () => {
      if (settled) return;
      if (!upload) {
        fail(new AppError("validation", 400, "The request has no file part.", { errors: [{ in: "body", path: "file", message: "required" }] }));
        return;
      }
      upload.then(
        (received) => {
          if (settled) return;
          settled = true;
          resolve(received);
        },
        fail,
      );
    });
    // A client that hangs up mid-body never ends the parser: without this the upload would wait for bytes forever.
    req.once("close", () => {
      if (!req.complete) fail(new AppError("request_aborted", 400, "The client closed the connection before the upload was complete."));
    });
    req.pipe(parser);
  });
}

/** The media routes, as data: they drive validation and the OpenAPI document. */
export const mediaRoutes = {
  uploadMedia: {
    method: "post",
    path: "/v1/media",
    operationId: "uploadMedia",
    summary: "Upload an image; variants are made in the background",
    tags: ["media"],
    auth: "user",
    idempotent: true,
    headers: idempotencyKeyHeader,
    bodyType: "multipart",
    multipart: z.strictObject({ file: z.string().meta({ format: "binary", description: "the image" }) }),
    uses: ["postgres", "storage", "queue"],
    responses: {
      201: { description: "stored; status is pending until the worker has made the variants", schema: mediaSchema },
      400: { description: "not exactly one part, the file named `file`; or its filename is invalid, or it is empty" },
      413: { description: "the file is larger than MEDIA_MAX_BYTES" },
      415: { description: "not a JPEG, PNG, GIF, WebP or AVIF image, judged by its first bytes" },
    },
  },
  listMedia: {
    method: "get",
    path: "/v1/media",
    operationId: "listMedia",
    summary: "List media, newest first",
    tags: ["media"],
    auth: "user",
    query: z.strictObject({ status: z.enum(["pending", "ready", "failed", "deleted"]).optional(), cursor: cursorQuery, limit: limitQuery }),
    uses: ["postgres"],
    responses: { 200: { description: "a page of media", schema: page(mediaSchema, "MediaPage") } },
  },
  getMedia: {
    method: "get",
    path: "/v1/media/:id",
    operationId: "getMedia",
    summary: "One media item and its variants (not once deleted)",
    tags: ["media"],
    auth: "user",
    params: idParams,
    uses: ["postgres"],
    responses: { 200: { description: "the media item", schema: mediaSchema }, 404: { description: "no such media" } },
  },
  getMediaContent: {
    method: "get",
    path: "/v1/media/:id/content/:variant",
    operationId: "getMediaContent",
    summary: "The bytes of the original or of a variant (public: used by the site's <img> tags)",
    tags: ["media"],
    auth: "public",
    params: z.object({ id: uuidParam, variant: z.string().regex(/^[a-z0-9-]{1,40}$/) }),
    uses: ["postgres", "storage"],
    responses: {
      200: { description: "the image", contentType: "image/*", schema: z.string().meta({ format: "binary" }) },
      302: { description: "redirect to a presigned URL (MEDIA_DELIVERY=redirect)" },
      404: { description: "no such media or variant (yet)" },
    },
  },
  deleteMedia: {
    method: "delete",
    path: "/v1/media/:id",
    operationId: "deleteMedia",
    summary: "Delete a media item (files are removed now or by the cleanup job)",
    tags: ["media"],
    auth: "user",
    params: idParams,
    uses: ["postgres"],
    responses: { 204: { description: "deleted" }, 404: { description: "no such media" } },
  },
} satisfies Record<string, RouteSpec>;

export function registerMediaRoutes(api: ApiRouter, deps: AppDeps, idempotency: Idempotency, cache: PublicCache): void {
  const { pool, storage } = deps;

  api.add(
    mediaRoutes.uploadMedia,
    async ({ headers }, req, res) => {
      const key = headers["idempotency-key"];
      const request = { userId: req.user!.id, key, method: req.method, path: req.path, body: { upload: key ?? null } };
      // A retry of an upload that already succeeded: answer without storing the file again.
      const earlier = await idempotency.lookup(request);
      if (earlier) {
        req.resume();
        await sendMedia(earlier.status, earlier.body, true);
        return;
      }
      const id = randomUUID();
      const originalKey = mediaKeys.original(id);
      const received = await receiveUpload(req, deps, originalKey);
      const result = await idempotency.run(request, async (tx) => {
        const media = await mediaRepo.create(tx, {
          id,
          ownerId: req.user!.id,
          filename: received.filename,
          contentType: received.type.contentType,
          sizeBytes: received.size,
          originalKey,
        });
        return { status: 201, body: presentMedia(media), headers: { location: `/v1/media/${id}` } };
      });
      if (result.replayed) await storage.delete([originalKey]); // a concurrent twin won; ours is surplus
      await sendMedia(result.status, result.body, result.replayed);

      async function sendMedia(status: number, body: unknown, replayed: boolean) {
        const media = body as { id: string; status: string };
        if (media.status === "pending") {
          try {
            await enqueueMedia(deps.mediaQueue, media.id);
          } catch (error) {
            // Only an outage is worth a retry; anything else is a bug, answered 500 (the reconciler still enqueues it).
            if (!isRedisUnavailable(error)) throw error;
            throw new AppError(
              "queue_unavailable",
              503,
              "The image is stored but could not be queued for processing; it will be processed once the queue is back.",
              { cause: error, headers: { "retry-after": "5" }, extra: { mediaId: media.id } },
            );
          }
        }
        if (replayed) res.setHeader("idempotent-replayed", "true");
        res.status(status).setHeader("location", `/v1/media/${media.id}`).json(body);
      }
    },
  );

  api.add(
    mediaRoutes.listMedia,
    async ({ query }, _req, res) => {
      const result = await mediaRepo.list(pool, query);
      res.json({ items: result.items.map(presentMedia), nextCursor: result.nextCursor });
    },
  );

  api.add(
    mediaRoutes.getMedia,
    async ({ params }, _req, res) => {
      const media = await mediaRepo.findById(pool, params.id);
      // Deleted is gone, as for its content and the default list: only ?status=deleted still shows what awaits cleanup.
      if (!media || media.status === "deleted") throw new AppError("not_found", 404, "No such media.");
      res.json(presentMedia(media));
    },
  );

  api.add(
    mediaRoutes.getMediaContent,
    async ({ params }, req, res) => {
      const media = await mediaRepo.findById(pool, params.id);
      if (!media || media.status === "deleted") throw new AppError("not_found", 404, "No such media.");
      const key = params.variant === "original" ? media.originalKey : media.variants.find((v) => v.name === params.variant)?.key;
      if (!key) {
        throw new AppError("variant_not_ready", 404, media.status === "pending" ? "This variant is still being made." : "No such variant.", {
          headers: media.status === "pending" ? { "retry-after": "2" } : {},
        });
      }
      if (deps.config.MEDIA_DELIVERY === "redirect") {
        res.redirect(302, await storage.presignGet(key, 300));
        return;
      }
      let object;
      try {
        object = await storage.get(key);
      } catch (error) {
        if (isNotFound(error)) throw new AppError("not_found", 404, "The stored file is missing.");
        throw error;
      }
      // An id's bytes never change, so browsers and CDNs may keep them for a year.
      res.setHeader("cache-control", "public, max-age=31536000, immutable");
      res.setHeader("content-type", object.contentType ?? media.contentType);
      res.setHeader("x-content-type-options", "nosniff");
      if (object.contentLength !== undefined) res.setHeader("content-length", String(object.contentLength));
      if (object.etag) res.setHeader("etag", object.etag);
      req.on("close", () => object.body.destroy());
      object.body.pipe(res);
    },
  );

  api.add(
    mediaRoutes.deleteMedia,
    async ({ params }, req, res) => {
      const media = await mediaRepo.markDeleted(pool, params.id);
      if (!media) throw new AppError("not_found", 404, "No such media.");
      await cache.invalidate(); // a published article may show it as its cover
      const keys = [media.originalKey, ...media.variants.map((variant) => variant.key)];
      // Best effort now; the row stays 'deleted' so the cleanup job retries whatever this misses.
      storage.delete(keys).catch((error: unknown) => req.log.warn({ err: error, mediaId: media.id }, "media objects left for cleanup"));
      res.status(204).end();
    },
  );
}
