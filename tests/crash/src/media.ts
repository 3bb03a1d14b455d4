/** Helpers for crash tests that involve the image worker: test images, uploads, and the end state in storage. */
import { randomBytes } from "node:crypto";
import pg from "pg";
import sharp from "sharp";
import { createStorage } from "@folio/storage";
import { entryPoint, freePort, ServiceProcess, type Stack } from "./processes.js";

/** A JPEG of random noise: it does not compress away, so the worker has real work to do. */
export async function noiseJpeg(width = 1600, height = 1200): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

export async function upload(stack: Stack, token: string, image: Buffer, name: string): Promise<{ status: number; id?: string }> {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(image)], { type: "image/jpeg" }), name);
  const res = await fetch(`${stack.apiUrl}/v1/media`, { method: "POST", headers: { authorization: token }, body: form });
  const body = (await res.json()) as { id?: string; mediaId?: string };
  return { status: res.status, id: body.id ?? body.mediaId };
}

export async function mediaStates(stack: Stack): Promise<Map<string, { status: string; variants: { name: string; key: string }[] }>> {
  const db = new pg.Client({ connectionString: stack.env.DATABASE_URL });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string; status: string; variants: { name: string; key: string }[] }>("SELECT id, status, variants FROM media");
    return new Map(rows.map((row) => [row.id, { status: row.status, variants: row.variants }]));
  } finally {
    await db.end();
  }
}

/** Every object key in the stack's bucket. */
export async function storedKeys(stack: Stack): Promise<string[]> {
  const storage = createStorage({
    endpoint: stack.env.S3_ENDPOINT,
    region: stack.env.S3_REGION!,
    bucket: stack.env.S3_BUCKET!,
    accessKeyId: stack.env.S3_ACCESS_KEY_ID!,
    secretAccessKey: stack.env.S3_SECRET_ACCESS_KEY!,
    forcePathStyle: true,
  });
  const keys: string[] = [];
  for await (const object of storage.list("media/")) keys.push(object.key);
  storage.destroy();
  return keys;
}

export async function workerProcess(stack: Stack, env: Record<string, string> = {}): Promise<{ worker: ServiceProcess; url: string }> {
  const port = await freePort();
  const worker = new ServiceProcess("worker", entryPoint("@folio/worker", "main.js"), {
    ...stack.env,
    WORKER_PORT: String(port),
    SCRATCH_DIR: `/tmp/folio-crash-worker-${port}`,
    ...env,
  });
  return { worker, url: `http://127.0.0.1:${port}` };
}
