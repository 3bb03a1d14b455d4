import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowReadingBuffers, makeJpeg, makeTransparentPng, makeTruncatedJpeg } from "../test/images.js";
import { InvalidImageError, VARIANTS, configureSharp, makeVariants, type ProcessedImage } from "./processor.js";

let dir: string;
let count = 0;

beforeAll(async () => {
  configureSharp();
  allowReadingBuffers();
  dir = await mkdtemp(join(tmpdir(), "folio-processor-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function process(bytes: Buffer, maxPixels = 100_000_000): Promise<ProcessedImage> {
  const file = join(dir, `input-${count++}`);
  await writeFile(file, bytes);
  return makeVariants(file, { maxPixels });
}

function variant(image: ProcessedImage, name: string) {
  const found = image.variants.find((v) => v.spec.name === name);
  if (!found) throw new Error(`no variant ${name}`);
  return found;
}

/** The colour at (x, y) as [r, g, b]. */
async function pixelAt(data: Buffer, x: number, y: number): Promise<number[]> {
  const { data: raw, info } = await sharp(data).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * info.channels;
  return [...raw.subarray(offset, offset + 3)];
}

describe("makeVariants", () => {
  it("when a landscape JPEG is processed, then display and thumb fit 1280 and 320 px, as JPEG and WebP, keeping the aspect ratio", async () => {
    const image = await process(await makeJpeg({ width: 2400, height: 1600 }));

    expect(image).toMatchObject({ width: 2400, height: 1600, format: "jpeg" });
    expect(image.variants.map((v) => v.spec.name)).toEqual(["display", "display-webp", "thumb", "thumb-webp"]);
    const expected = { display: [1280, 853, "jpeg"], "display-webp": [1280, 853, "webp"], thumb: [320, 213, "jpeg"], "thumb-webp": [320, 213, "webp"] };
    for (const { spec, width, height, data } of image.variants) {
      const metadata = await sharp(data).metadata();
      expect([width, height, metadata.format], spec.name).toEqual(expected[spec.name as keyof typeof expected]);
      expect([metadata.width, metadata.height]).toEqual([width, height]);
    }
    expect(VARIANTS.map((v) => v.contentType)).toEqual(["image/jpeg", "image/webp", "image/jpeg", "image/webp"]);
  });

  it("when a JPEG has EXIF orientation 6, then every variant is turned upright and the original's size is as displayed", async () => {
    // Stored 800×600 with red on the left; orientation 6 displays it 600×800 with red on top.
    const image = await process(await makeJpeg({ width: 800, height: 600, orientation: 6 }));

    expect([image.width, image.height]).toEqual([600, 800]);
    for (const { spec, width, height, data } of image.variants) {
      expect(height, spec.name).toBeGreaterThan(width);
      const [top, bottom] = [await pixelAt(data, Math.floor(width / 2), 5), await pixelAt(data, Math.floor(width / 2), height - 5)];
      expect(top[0], `${spec.name}: red on top`).toBeGreaterThan(top[2]!);
      expect(bottom[2], `${spec.name}: blue at the bottom`).toBeGreaterThan(bottom[0]!);
      expect((await sharp(data).metadata()).orientation, spec.name).toBeUndefined();
    }
  });

  it("when the original carries EXIF text and an ICC profile, then no variant keeps any metadata", async () => {
    const original = await makeJpeg({ width: 800, height: 600, orientation: 6, withMetadata: true });
    const before = await sharp(original).metadata();
    expect([Boolean(before.exif), Boolean(before.icc)]).toEqual([true, true]);

    const image = await process(original);

    for (const { spec, data } of image.variants) {
      const metadata = await sharp(data).metadata();
      expect({ exif: metadata.exif, icc: metadata.icc, xmp: metadata.xmp, iptc: metadata.iptc, orientation: metadata.orientation }, spec.name).toEqual({
        exif: undefined,
        icc: undefined,
        xmp: undefined,
        iptc: undefined,
        orientation: undefined,
      });
      expect(data.includes("Folio test"), spec.name).toBe(false);
    }
  });

  it("when the image is smaller than a variant's size, then it is not enlarged", async () => {
    const image = await process(await makeJpeg({ width: 200, height: 100 }));

    expect(image.variants.map((v) => [v.spec.name, v.width, v.height])).toEqual([
      ["display", 200, 100],
      ["display-webp", 200, 100],
      ["thumb", 200, 100],
      ["thumb-webp", 200, 100],
    ]);
  });

  it("when a PNG is transparent, then the JPEG variants are white there and the WebP variants keep the transparency", async () => {
    const image = await process(await makeTransparentPng(400, 200));

    expect(image.format).toBe("png");
    expect(await pixelAt(variant(image, "display").data, 10, 100)).toEqual([255, 255, 255]);
    const webp = await sharp(variant(image, "display-webp").data).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(webp.data[(100 * webp.info.width + 10) * 4 + 3]).toBe(0);
  });

  it("when the bytes are not an image, then it fails with InvalidImageError", async () => {
    await expect(process(Buffer.from("this is not an image at all"))).rejects.toThrow(InvalidImageError);
  });

  it("when a JPEG is truncated, then it fails with InvalidImageError instead of making half-grey variants", async () => {
    await expect(process(await makeTruncatedJpeg())).rejects.toThrow(InvalidImageError);
  });

  it("when the image is a format the API does not accept (TIFF, SVG), then it is refused before being parsed", async () => {
    const tiff = await sharp({ create: { width: 10, height: 10, channels: 3, background: "#888" } }).tiff().toBuffer();
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');

    for (const file of [tiff, svg]) {
      await expect(process(file)).rejects.toThrow("The image format is not supported: upload a JPEG, PNG, GIF, WebP or AVIF image.");
    }
  });

  it("when the image has more pixels than allowed, then it is refused without being decoded", async () => {
    const error = await process(await makeJpeg({ width: 400, height: 300 }), 100_000).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidImageError);
    expect((error as Error).message).toBe("The image is too large: it has more than 100,000 pixels.");
  });
});
