import type { ArticleStatus } from "../api/types.ts";

const LABELS: Record<ArticleStatus, string> = { draft: "Draft", published: "Published", trashed: "In trash" };

export function StatusBadge({ status }: { status: ArticleStatus }) {
  return <span className={`badge badge-${status}`}>{LABELS[status]}</span>;
}
