/**
 * An image from the worker's variants: WebP for browsers that take it, JPEG otherwise, with its real size so the
 * page does not jump when it loads. Nothing is shown while the variants are not made yet.
 */
import type { Variant } from "../api/types.ts";
import { apiUrl } from "../runtime-config.ts";

export interface PictureProps {
  variants: Variant[];
  size: "thumb" | "display";
  /** "" for a decorative image (one next to a link that already names it). */
  alt: string;
  className?: string;
  /** The first image on a page is not lazy, so it paints early. */
  eager?: boolean;
}

export function Picture({ variants, size, alt, className, eager = false }: PictureProps) {
  const fallback = variants.find((variant) => variant.name === size);
  const webp = variants.find((variant) => variant.name === `${size}-webp`);
  const main = fallback ?? webp;
  if (!main) return null;
  return (
    <picture className={className}>
      {webp && fallback && <source type="image/webp" srcSet={apiUrl(webp.url)} />}
      <img
        src={apiUrl(main.url)}
        width={main.width}
        height={main.height}
        alt={alt}
        loading={eager ? "eager" : "lazy"}
        decoding="async"
        fetchPriority={eager ? "high" : undefined}
      />
    </picture>
  );
}
