import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestServices } from "@folio/testkit";
import { createStorage, isNotFound, isStorageUnavailable, mediaKeys, type Storage } from "../src/index.js";

let storage: Storage;
const settings = () => {
  const { s3 } = useTestServices();
  return { endpoint: s3.endpoint, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true };
};

beforeAll(async () => {
  storage = createStorage({ ...settings(), bucket: `storage-test-${randomBytes(4).toString("hex")}` });
  await storage.ensureBucket();
  await storage.ensureBucket(); // idempotent
});
afterAll(() => storage.destroy());

/** Compared by digest: a deep equality check walks a 9 MB buffer byte by byte and takes tens of seconds. */
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

const text = async (body: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

describe("S3 storage against a real server", () => {
  it("when an object is streamed in, then it can be read back, listed, presigned and deleted", async () => {
    const key = mediaKeys.original("11111111-1111-4111-8111-111111111111");
    const content = randomBytes(300_000);
    await storage.put(key, Readable.from([content.subarray(0, 1000), content.subarray(1000)]), "image/png");
    const object = await storage.get(key);
    expect(object.contentType).toBe("image/png");
    expect(await text(object.body)).toEqual(content);
    expect((await storage.head(key))?.size).toBe(content.length);

    const listed = [];
    for await (const item of storage.list("media/11111111")) listed.push(item.key);
    expect(listed).toEqual([key]);

    const url = await storage.presignGet(key, 60);
    const fetched = await fetch(url);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(content);

    await storage.delete([key, "media/does-not-exist"]);
    expect(await storage.head(key)).toBeUndefined();
  });

  it("when a body is larger than one part, then the multipart upload assembles it intact", async () => {
    const key = "big/object";
    const content = randomBytes(9 * 1024 * 1024);
    await storage.put(key, Readable.from([content]), "application/octet-stream");
    expect((await storage.head(key))?.size).toBe(content.length);
    const read = await text((await storage.get(key)).body);
    expect(read.length).toBe(content.length);
    expect(sha256(read)).toBe(sha256(content));
  });

  it("when a buffer is put, then one request stores it with its content type", async () => {
    const content = randomBytes(200_000);
    await storage.put("media/buffer/thumb.webp", content, "image/webp");
    const object = await storage.get("media/buffer/thumb.webp");
    expect(object.contentType).toBe("image/webp");
    expect(sha256(await text(object.body))).toBe(sha256(content));
  });

  it("when an object is missing, then get fails with a not-found error", async () => {
    const error = await storage.get("nope").catch((e: unknown) => e);
    expect(isNotFound(error)).toBe(true);
  });

  it("when the secret key is wrong, then the server rejects the request", async () => {
    const wrong = createStorage({ ...settings(), secretAccessKey: "wrong-secret-key-000000", bucket: storage.bucket });
    const error = (await wrong.head("anything").then(
      () => undefined,
      (e: unknown) => e,
    )) as { $metadata?: { httpStatusCode?: number } } | undefined;
    const put = await wrong.put("x", Buffer.from("x"), "text/plain").then(
      () => "stored",
      (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
    );
    wrong.destroy();
    expect(error?.$metadata?.httpStatusCode).toBe(403);
    expect(put).toBe(403);
    expect(await storage.head("x")).toBeUndefined();
  });

  it("when the server is unreachable, then the error is classified as unavailable", async () => {
    const down = createStorage({ ...settings(), endpoint: "http://127.0.0.1:1", bucket: "x", requestTimeoutMs: 1000 });
    const error = await down.head("x").catch((e: unknown) => e);
    down.destroy();
    expect(isStorageUnavailable(error)).toBe(true);
  });
});
