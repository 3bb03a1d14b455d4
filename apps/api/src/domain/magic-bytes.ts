/**
 * What a file is, from its first bytes, never from its name or the client's Content-Type.
 * Only the image types the worker can process are recognised.
 */
export interface DetectedType {
  contentType: string;
  extension: string;
}

/** Bytes needed to recognise every supported type. */
export const SNIFF_BYTES = 16;

export function detectImageType(head: Uint8Array): DetectedType | undefined {
  const starts = (bytes: number[], offset = 0) => bytes.every((byte, i) => head[offset + i] === byte);
  const ascii = (text: string, offset: number) => starts([...text].map((c) => c.charCodeAt(0)), offset);

  if (starts([0xff, 0xd8, 0xff])) return { contentType: "image/jpeg", extension: "jpg" };
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { contentType: "image/png", extension: "png" };
  if (ascii("GIF87a", 0) || ascii("GIF89a", 0)) return { contentType: "image/gif", extension: "gif" };
  if (ascii("RIFF", 0) && ascii("WEBP", 8)) return { contentType: "image/webp", extension: "webp" };
  if (ascii("ftyp", 4) && (ascii("avif", 8) || ascii("avis", 8))) return { contentType: "image/avif", extension: "avif" };
  return undefined;
}
