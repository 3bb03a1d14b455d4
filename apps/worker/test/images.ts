/**
 * Test images, made with sharp on the spot: no fixtures to keep in the repository.
 */
import sharp from "sharp";

export interface ImageOptions {
  width: number;
  height: number;
  /** EXIF orientation tag (1–8); 6 means "rotate 90° clockwise to display". */
  orientation?: number;
  /** Adds EXIF text (IFD0) and an ICC profile, as camera files carry. */
  withMetadata?: boolean;
}

/**
 * A JPEG whose left half is red and right half blue, so a test can tell which way the pixels were turned.
 * Noise gives the encoder real work, like a photograph.
 */
export async function makeJpeg(options: ImageOptions): Promise<Buffer> {
  const { width, height } = options;
  const half = Math.floor(width / 2);
  let image = sharp({ create: { width, height, channels: 3, background: "#d02020" } })
    .composite([
      { input: { create: { width: width - half, height, channels: 3, background: "#2020d0" } }, left: half, top: 0 },
      { input: { create: { width, height, channels: 3, background: "#000", noise: { type: "gaussian", mean: 0, sigma: 12 } } }, blend: "add" },
    ])
    .jpeg({ quality: 90 });
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  if (options.withMetadata) image = image.withExif({ IFD0: { Copyright: "Folio test", Artist: "A camera owner" } }).keepIccProfile();
  return image.toBuffer();
}

/** A PNG that is transparent on its left half. */
export async function makeTransparentPng(width: number, height: number): Promise<Buffer> {
  const half = Math.floor(width / 2);
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: { create: { width: width - half, height, channels: 4, background: "#20a020ff" } }, left: half, top: 0 }])
    .png()
    .toBuffer();
}

/** Bytes that start like a JPEG and then stop: what a broken upload looks like. */
export async function makeTruncatedJpeg(): Promise<Buffer> {
  const jpeg = await makeJpeg({ width: 800, height: 600 });
  return jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
}

/**
 * configureSharp() lets libvips read only files of the accepted formats. Tests also read the variants they get
 * back from memory, so they allow the in-memory loaders of the output formats (and JPEG, for their inputs).
 */
export function allowReadingBuffers(): void {
  sharp.unblock({ operation: ["VipsForeignLoadJpegBuffer", "VipsForeignLoadWebpBuffer", "VipsForeignLoadPngBuffer"] });
}
