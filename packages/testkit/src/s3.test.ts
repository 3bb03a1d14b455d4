import { GetObjectCommand, CreateBucketCommand, PutObjectCommand, S3Client, ListBucketsCommand } from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3 } from "./s3.js";
import type { S3Server } from "./types.js";

function clientFor(server: S3Server, secretAccessKey = server.secretAccessKey): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey },
  });
}

describe("an S3 server started by the testkit", () => {
  let server: S3Server;
  let s3: S3Client;

  beforeAll(async () => {
    server = await startS3({ allowExternal: false });
    s3 = clientFor(server);
  });

  afterAll(async () => {
    s3?.destroy();
    await server?.dispose();
  });

  it("when an object is put, then it reads back byte for byte", async () => {
    const body = randomBytes(256 * 1024);
    await s3.send(new CreateBucketCommand({ Bucket: "round-trip" }));

    await s3.send(new PutObjectCommand({ Bucket: "round-trip", Key: "a/b/blob.bin", Body: body }));

    const object = await s3.send(new GetObjectCommand({ Bucket: "round-trip", Key: "a/b/blob.bin" }));
    expect(Buffer.from(await object.Body!.transformToByteArray())).toEqual(body);
  });

  it("when the S3 secret key is wrong, then the server rejects the request", async () => {
    const impostor = clientFor(server, "not-the-secret");

    await expect(impostor.send(new ListBucketsCommand({}))).rejects.toMatchObject({
      name: "SignatureDoesNotMatch",
      $metadata: { httpStatusCode: 403 },
    });
    impostor.destroy();
  });

  it("when the S3 server is killed and started again, then stored objects are still there", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "survivor" }));
    await s3.send(new PutObjectCommand({ Bucket: "survivor", Key: "note.txt", Body: "still here" }));

    await server.kill();
    await server.start();

    const object = await s3.send(new GetObjectCommand({ Bucket: "survivor", Key: "note.txt" }));
    expect(await object.Body!.transformToString()).toBe("still here");
  });
});
