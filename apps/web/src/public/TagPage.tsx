import { useLoaderData, type LoaderFunctionArgs } from "react-router";
import { listPublicArticles } from "../api/folio.ts";
import { ArticleList } from "./ArticleList.tsx";

export async function tagLoader({ request, params }: LoaderFunctionArgs) {
  const tag = params.tag!;
  const cursor = new URL(request.url).searchParams.get("cursor") ?? undefined;
  return { tag, page: await listPublicArticles({ tag, cursor }, request.signal), cursor };
}

export function TagPage() {
  const { tag, page, cursor } = useLoaderData<typeof tagLoader>();
  return (
    <>
      <title>{`Tagged “${tag}” · Folio`}</title>
      <h1>
        Articles tagged <q>{tag}</q>
      </h1>
      <ArticleList page={page} cursor={cursor} emptyText="No published article has this tag." />
    </>
  );
}
