/**
 * Image processing: one original file in, the variants out. No network and no database, so it is tested on its
 * own with images made by sharp in the test.
 *
 * The original is decoded once, already shrunk to the largest variant's size (for JPEG and WebP, libvips decodes
 * at 1/2, 1/4 or 1/8 scale straight from the compressed data), into plain sRGB pixels. Both display files are
 * encoded from those pixels, which are then shrunk again for the two thumbnails. Decoding once matters most for
 * PNG and GIF, which have no shrink-on-load and would otherwise be decoded at full size for every variant.
 *
 * Every output is stripped of metadata: sharp writes none unless asked (withMetadata, keepExif, keepIccProfile),
 * and the pixels were converted to sRGB, so no ICC profile is needed. This drops camera serial numbers and GPS
 * positions that uploads often carry. EXIF orientation is applied to the pixels first, so nothing is lost.
 */
import sharp, { type Sharp } from "sharp";

export interface VariantSpec {
  name: string;
  /** Longest side, in pixels; smaller images are never enlarged. */
  maxPx: number;
  format: "jpeg" | "webp";
  extension: string;
  contentType: string;
}

/** What the worker makes of each original. The names are what the API serves at /v1/media/:id/content/:name. */
export const VARIANTS: readonly VariantSpec[] = [
  { name: "display", maxPx: 1280, format: "jpeg", extension: "jpg", contentType: "image/jpeg" },
  { name: "display-webp", maxPx: 1280, format: "webp", extension: "webp", contentType: "image/webp" },
  { name: "thumb", maxPx: 320, format: "jpeg", extension: "jpg", contentType: "image/jpeg" },
  { name: "thumb-webp", maxPx: 320, format: "webp", extension: "webp", contentType: "image/webp" },
];

const LARGEST_PX = Math.max(...VARIANTS.map((variant) => variant.maxPx));

/** Input formats the API accepts (apps/api/src/domain/magic-bytes.ts); AVIF reports itself as "heif". */
const INPUT_FORMATS = new Set(["jpeg", "png", "gif", "webp", "heif"]);

/** The libvips loaders for those formats, reading from a file. Every other loader is blocked (configureSharp). */
const FILE_LOADERS = [
  "VipsForeignLoadJpegFile",
  "VipsForeignLoadPngFile",
  "VipsForeignLoadNsgifFile",
  "VipsForeignLoadWebpFile",
  "VipsForeignLoadHeifFile",
];

export interface Variant {
  spec: VariantSpec;
  width: number;
  height: number;
  data: Buffer;
}

export interface ProcessedImage {
  /** Width and height of the original as displayed, that is after its EXIF orientation. */
  width: number;
  height: number;
  /** The original's format, as libvips detected it. */
  format: string;
  variants: Variant[];
}

export interface ProcessOptions {
  /** Originals with more pixels than this are refused, before any pixel is decoded. */
  maxPixels: number;
}

/**
 * The image itself is the problem (corrupt, truncated, not an image, unsupported, too large): retrying cannot help.
 * The message is what the person who uploaded it is told (the media item's failureReason): one short sentence.
 * libvips's own text, multi-line and full of the worker's scratch paths, stays in `cause`, for the worker's log.
 */
export class InvalidImageError extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = "InvalidImageError";
  }
}

const unsupported = (format: string) =>
  `The image format${format ? ` (${format})` : ""} is not supported: upload a JPEG, PNG, GIF, WebP or AVIF image.`;

/**
 * Process-wide sharp settings; call once at start.
 * - No operation cache: libvips would keep recent images' pixels to reuse them, and a worker never processes the
 *   same image twice. Memory then follows the jobs in flight, not the history.
 * - One libvips thread per image. WORKER_CONCURRENCY images are processed at once, so CPU use is about that many
 *   cores and memory about that many decoded images; more threads per image would only contend for the same cores.
 *   (On glibc, sharp already defaults to 1 to limit allocator fragmentation; this makes it explicit everywhere.)
 * - Only the loaders of the formats we accept. libvips can also parse SVG, PDF, TIFF, FITS, matrix files and more;
 *   blocking them means a file that merely claims to be an image never reaches those parsers.
 */
export function configureSharp(): void {
  sharp.cache(false);
  sharp.concurrency(1);
  sharp.block({ operation: ["VipsForeignLoad"] });
  sharp.unblock({ operation: FILE_LOADERS });
}

export interface OpenedImage {
  /** Width and height of the original as displayed, that is after its EXIF orientation. */
  width: number;
  height: number;
  /** The original's format, as libvips detected it. */
  format: string;
  /**
   * Makes the variants one at a time, in VARIANTS order, so the caller can store each while the next is encoded.
   * Throws InvalidImageError when the pixels cannot be decoded.
   */
  variants(): AsyncGenerator<Variant>;
}

/** Reads the image's header and checks it. Throws InvalidImageError when the file cannot be used. */
export async function openImage(file: string, options: ProcessOptions): Promise<OpenedImage> {
  const input = () =>
    sharp(file, {
      limitInputPixels: options.maxPixels,
      // Refuse truncated or undecodable pixel data, but accept the harmless warnings many cameras' JPEGs raise
      // ("extraneous bytes before marker"); sharp's default ("warning") would fail those photos for good.
      failOn: "error",
    });

  const metadata = await input()
    .metadata()
    .catch((error: unknown) => {
      throw new InvalidImageError(
        isPixelLimit(error)
          ? tooLarge(options.maxPixels)
          : // What sharp says when no allowed loader recognises the file (configureSharp blocks TIFF, SVG, PDF, …).
            /unsupported image format/i.test(error instanceof Error ? error.message : "")
            ? unsupported("")
            : "The file could not be read as an image: it is corrupt, truncated or not an image.",
        { cause: error },
      );
    });
  // libvips's format names are short lower-case words (heif, tiff); anything else is not worth repeating.
  if (!INPUT_FORMATS.has(metadata.format)) throw new InvalidImageError(unsupported(/^[a-z0-9]{1,10}$/.test(metadata.format) ? metadata.format : ""));

  return {
    width: metadata.autoOrient.width,
    height: metadata.autoOrient.height,
    format: metadata.format,
    async *variants() {
      // Decoded once, at the largest size any variant needs; smaller sizes are shrunk from those pixels.
      // rotate() without an angle applies the EXIF orientation (the same as autoOrient()).
      const largest = await pixels(input().rotate(), LARGEST_PX).catch((error: unknown) => {
        throw new InvalidImageError(
          isPixelLimit(error) ? tooLarge(options.maxPixels) : "The image could not be decoded: it is corrupt or truncated.",
          { cause: error },
        );
      });
      const bySize = new Map([[LARGEST_PX, largest]]);
      // One encode at a time: with sharp.concurrency(1) a job then uses one core, and WORKER_CONCURRENCY sets the total.
      for (const spec of VARIANTS) {
        let source = bySize.get(spec.maxPx);
        if (!source) {
          source = await pixels(fromPixels(largest), spec.maxPx);
          bySize.set(spec.maxPx, source);
        }
        yield await encode(source, spec);
      }
    },
  };
}

/** Makes every variant of the image in `file` at once (tests, benchmarks). Throws InvalidImageError as openImage does. */
export async function makeVariants(file: string, options: ProcessOptions): Promise<ProcessedImage> {
  const image = await openImage(file, options);
  const variants: Variant[] = [];
  for await (const variant of image.variants()) variants.push(variant);
  return { width: image.width, height: image.height, format: image.format, variants };
}

interface Pixels {
  data: Buffer;
  info: { width: number; height: number; channels: 1 | 2 | 3 | 4 };
}

/** Decodes to 8-bit sRGB pixels (with alpha when the image has it), at most `maxPx` on the longest side. */
async function pixels(image: Sharp, maxPx: number): Promise<Pixels> {
  const { data, info } = await image
    .resize({ width: maxPx, height: maxPx, fit: "inside", withoutEnlargement: true })
    .toColourspace("srgb")
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  return { data, info: { width: info.width, height: info.height, channels: info.channels } };
}

function fromPixels({ data, info }: Pixels): Sharp {
  return sharp(data, { raw: info });
}

async function encode(source: Pixels, spec: VariantSpec): Promise<Variant> {
  const image = fromPixels(source);
  const encoded =
    spec.format === "jpeg"
      ? // JPEG has no transparency: transparent areas of a PNG or WebP become white, not black.
        image.flatten({ background: "#ffffff" }).jpeg({ quality: 80, progressive: true })
      : image.webp({ quality: 80 });
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return { spec, width: info.width, height: info.height, data };
}

/** sharp's refusal of an image above limitInputPixels ("Input image exceeds pixel limit"). */
function isPixelLimit(error: unknown): boolean {
  return error instanceof Error && /pixel limit/i.test(error.message);
}

function tooLarge(maxPixels: number): string {
  return `The image is too large: it has more than ${maxPixels.toLocaleString("en-US")} pixels.`;
}
