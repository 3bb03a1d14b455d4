import { useLoaderData, type LoaderFunctionArgs } from "react-router";
import { listPublicArticles } from "../api/folio.ts";
import { ArticleList } from "./ArticleList.tsx";

export async function homeLoader({ request }: LoaderFunctionArgs) {
  const cursor = new URL(request.url).searchParams.get("cursor") ?? undefined;
  return { page: await listPublicArticles({ cursor }, request.signal), cursor };
}

export function HomePage() {
  const { page, cursor } = useLoaderData<typeof homeLoader>();
  return (
    <>
      <title>Folio</title>
      <h1>Latest articles</h1>
      <ArticleList page={page} cursor={cursor} emptyText="Nothing has been published yet." />
    </>
  );
}
