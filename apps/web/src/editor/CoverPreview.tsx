import { getMedia } from "../api/editor.ts";
import { Picture } from "../ui/Picture.tsx";
import { useResource } from "../ui/useResource.ts";

/** The chosen cover's thumbnail, or what stands in for it. */
export function CoverPreview({ mediaId }: { mediaId: string | null }) {
  const media = useResource(mediaId, (signal) => getMedia(mediaId!, signal));
  if (!mediaId) return <p className="muted">No cover image.</p>;
  if (media.error !== undefined) return <p className="field-problem">The cover image could not be loaded.</p>;
  if (!media.data) return <p className="muted">Loading the cover…</p>;
  if (media.data.status !== "ready") return <p className="muted">The cover image is {media.data.status === "failed" ? "broken" : "being processed"}.</p>;
  return <Picture className="cover-preview" variants={media.data.variants} size="thumb" alt={`Cover: ${media.data.filename}`} />;
}
