/**
 * Images for an article: upload new ones (with progress, then "processing" until the worker has made the
 * variants), and pick one as the cover or insert it into the text.
 */
import { useEffect, useId, useRef, useState, type ChangeEvent } from "react";
import { listMedia } from "../api/editor.ts";
import type { Media } from "../api/types.ts";
import { uploadMedia, waitUntilProcessed } from "../api/upload.ts";
import { ErrorMessage } from "../ui/ErrorMessage.tsx";
import { formatBytes } from "../ui/format.ts";
import { Picture } from "../ui/Picture.tsx";
import { useResource } from "../ui/useResource.ts";

const ACCEPTED = "image/jpeg,image/png,image/gif,image/webp,image/avif";

export interface MediaLibraryProps {
  coverMediaId: string | null;
  onUseAsCover: (media: Media) => void;
  onInsert: (media: Media) => void;
}

export function MediaLibrary({ coverMediaId, onUseAsCover, onInsert }: MediaLibraryProps) {
  const [uploads, setUploads] = useState<UploadItem[]>([]);
  const [cursor, setCursor] = useState<string>();
  const library = useResource(`media:${cursor ?? ""}`, (signal) => listMedia({ cursor }, signal));
  const inputId = useId();

  const fresh = new Set(uploads.map((upload) => upload.media?.id));
  const stored = (library.data?.items ?? []).filter((media) => !fresh.has(media.id) && media.status !== "deleted");

  function onFiles(event: ChangeEvent<HTMLInputElement>) {
    const files = [...(event.target.files ?? [])];
    event.target.value = ""; // the same file can be chosen again
    setUploads((current) => [...files.map((file) => ({ key: `${file.name}:${file.size}:${Date.now()}`, file })), ...current]);
  }

  return (
    <div className="media-library">
      <div className="field">
        <label htmlFor={inputId}>Upload an image</label>
        <input id={inputId} type="file" accept={ACCEPTED} multiple onChange={onFiles} />
        <p className="hint">JPEG, PNG, GIF, WebP or AVIF. Thumbnails are made in the background.</p>
      </div>
      <ul className="media-grid" aria-label="Images">
        {uploads.map((upload) => (
          <Upload
            key={upload.key}
            item={upload}
            onStored={(media) => setUploads((current) => current.map((item) => (item.key === upload.key ? { ...item, media } : item)))}
            selected={upload.media?.id === coverMediaId}
            onUseAsCover={onUseAsCover}
            onInsert={onInsert}
          />
        ))}
        {stored.map((media) => (
          <MediaItem key={media.id} media={media} selected={media.id === coverMediaId} onUseAsCover={onUseAsCover} onInsert={onInsert} />
        ))}
      </ul>
      {library.loading && <p className="muted">Loading images…</p>}
      {library.error !== undefined && <ErrorMessage error={library.error} onRetry={library.reload} />}
      {library.data?.nextCursor && (
        <button type="button" onClick={() => setCursor(library.data?.nextCursor ?? undefined)}>
          Older images
        </button>
      )}
    </div>
  );
}

interface UploadItem {
  key: string;
  file: File;
  media?: Media;
}

type UploadState =
  | { phase: "uploading"; fraction: number }
  | { phase: "processing"; media: Media }
  /** Still pending when the polling gave up: the worker may be down. */
  | { phase: "stalled"; media: Media }
  | { phase: "done"; media: Media }
  | { phase: "error"; error: unknown };

/** One file being uploaded, then processed: the upload starts when it is mounted. */
function Upload({ item, onStored, ...actions }: { item: UploadItem; onStored: (media: Media) => void } & Omit<MediaItemProps, "media">) {
  const [state, setState] = useState<UploadState>({ phase: "uploading", fraction: 0 });
  const started = useRef(false);

  useEffect(() => {
    // Once per file, also under StrictMode's double effects in development.
    if (started.current) return;
    started.current = true;
    void (async () => {
      try {
        const media = await uploadMedia(item.file, { onProgress: (fraction) => setState({ phase: "uploading", fraction }) });
        onStored(media);
        setState({ phase: "processing", media });
        const processed = await waitUntilProcessed(media.id);
        onStored(processed);
        setState({ phase: processed.status === "pending" ? "stalled" : "done", media: processed });
      } catch (error) {
        setState({ phase: "error", error });
      }
    })();
  }, [item.file, onStored]);

  if (state.phase === "done") return <MediaItem media={state.media} {...actions} />;
  return (
    <li className="media-item">
      <div className="media-placeholder" role="status">
        {state.phase === "uploading" && (
          <>
            <label>
              Uploading {item.file.name} ({formatBytes(item.file.size)})
              <progress max={1} value={state.fraction}>
                {Math.round(state.fraction * 100)}%
              </progress>
            </label>
            <span className="small">{Math.round(state.fraction * 100)}%</span>
          </>
        )}
        {state.phase === "processing" && (
          <>
            <span className="spinner" aria-hidden="true" />
            <span>Processing {item.file.name}…</span>
            <span className="small muted">Making the thumbnails</span>
          </>
        )}
        {state.phase === "stalled" && (
          <span>
            {item.file.name} is stored, but the image worker has not made its thumbnails yet. Is the worker running? It will
            appear in the list once it is processed.
          </span>
        )}
        {state.phase === "error" && <ErrorMessage error={state.error} />}
      </div>
    </li>
  );
}

interface MediaItemProps {
  media: Media;
  selected: boolean;
  onUseAsCover: (media: Media) => void;
  onInsert: (media: Media) => void;
}

function MediaItem({ media, selected, onUseAsCover, onInsert }: MediaItemProps) {
  return (
    <li className={`media-item${selected ? " selected" : ""}`}>
      {media.status === "ready" ? (
        <Picture variants={media.variants} size="thumb" alt={media.filename} />
      ) : (
        <div className="media-placeholder">{media.status === "failed" ? `Failed: ${media.failureReason ?? "unknown reason"}` : "Processing…"}</div>
      )}
      <p className="small media-name" title={media.filename}>
        {media.filename}
      </p>
      {media.status === "ready" && (
        <div className="media-actions">
          <button type="button" onClick={() => onUseAsCover(media)} aria-pressed={selected}>
            {selected ? "Cover" : "Use as cover"}
          </button>
          <button type="button" onClick={() => onInsert(media)}>
            Insert in text
          </button>
        </div>
      )}
    </li>
  );
}
