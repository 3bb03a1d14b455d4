/**
 * Uploads whose multipart body is unusual: raw UTF-8 or RFC 5987 filenames, a NUL in the filename, two file parts.
 * The bodies are written byte by byte, as browsers and scripts send them, rather than by a client library that
 * would normalise them.
 */
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PNG_1X1, createHarness, type Harness } from "./harness.js";

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await createHarness();
  token = await h.login();
});
afterAll(() => h.close());

const BOUNDARY = "folio-test-boundary";

/** One multipart part; `disposition` is the raw Content-Disposition parameters after "form-data; ". */
const part = (disposition: Buffer | string, content: Buffer) =>
  Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; `),
    Buffer.from(disposition),
    Buffer.from("\r\nContent-Type: application/octet-stream\r\n\r\n"),
    content,
    Buffer.from("\r\n"),
  ]);

const multipart = (...parts: Buffer[]) => Buffer.concat([...parts, Buffer.from(`--${BOUNDARY}--\r\n`)]);

const send = (body: Buffer) =>
  request(h.app).post("/v1/media").set("authorization", token).set("content-type", `multipart/form-data; boundary=${BOUNDARY}`).send(body);

/** What a rejected upload could have left: media rows and objects in the bucket. */
async function stored(): Promise<{ rows: number; objects: number }> {
  const rows = Number((await h.pool.query("SELECT count(*) FROM media")).rows[0].count);
  let objects = 0;
  for await (const _object of h.storage.list("media/")) objects++;
  return { rows, objects };
}

const expectProblem = (res: request.Response, status: number, code: string) => {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code });
};

describe("upload filenames", () => {
  it("when a browser sends the filename as raw UTF-8 bytes, then it is stored as written", async () => {
    const res = await send(multipart(part(Buffer.from('name="file"; filename="café ☕.png"', "utf8"), PNG_1X1)));
    expect(res.status).toBe(201);
    expect(res.body.filename).toBe("café ☕.png");
  });

  it("when the filename comes as filename*=UTF-8''…, then it is decoded", async () => {
    const res = await send(multipart(part(`name="file"; filename="cafe.png"; filename*=UTF-8''caf%C3%A9.png`, PNG_1X1)));
    expect(res.status).toBe(201);
    expect(res.body.filename).toBe("café.png");
  });

  it("when the filename holds a NUL character, then 400 names it, and no row or object is stored", async () => {
    const before = await stored();
    const encoded = await send(multipart(part(`name="file"; filename*=UTF-8''a%00b.png`, PNG_1X1)));
    expectProblem(encoded, 400, "validation");
    expect(encoded.body.errors[0]).toMatchObject({ in: "body", path: "file.filename", message: expect.stringMatching(/NUL/) });
    // A raw NUL byte in a part header: the parser refuses the header itself.
    expectProblem(await send(multipart(part(Buffer.from('name="file"; filename="a\u0000b.png"', "utf8"), PNG_1X1))), 400, "validation");
    expect(await stored()).toEqual(before);
  });
});

describe("upload parts", () => {
  it("when the body has two file parts, then 400 says to send one, and nothing is stored", async () => {
    const before = await stored();
    const res = await send(multipart(part('name="file"; filename="one.png"', PNG_1X1), part('name="file"; filename="two.png"', PNG_1X1)));
    expectProblem(res, 400, "validation");
    expect(res.body.detail).toMatch(/one file/i);
    expect(await stored()).toEqual(before);
  });

  it("when a second file part comes after a large first one, then nothing is stored either", async () => {
    const before = await stored();
    // The first file is streaming to S3 when the second part arrives: its upload must be undone.
    const big = Buffer.concat([PNG_1X1, Buffer.alloc(512 * 1024, 7)]);
    const res = await send(multipart(part('name="file"; filename="big.png"', big), part('name="extra"; filename="two.png"', PNG_1X1)));
    expectProblem(res, 400, "validation");
    expect(await stored()).toEqual(before);
  });
});
