import { useMemo } from "react";
import { runtimeConfig } from "../runtime-config.ts";
import { renderMarkdown } from "./render.ts";

/** Renders an article's Markdown, sanitised (see render.ts). */
export function Markdown({ source, className = "prose" }: { source: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(source, { apiUrl: runtimeConfig().apiUrl }), [source]);
  // Safe: the HTML has been through DOMPurify in renderMarkdown.
  return <div className={className} dangerouslySetInnerHTML={{ __html: html }} />;
}
