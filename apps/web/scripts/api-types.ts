/**
 * Generates src/api/schema.gen.ts, the TypeScript types of the API's OpenAPI document, with openapi-typescript.
 * The document is the one the API's build writes from its route declarations (apps/api/dist/openapi.json, no
 * server needed); src/api/types.ts names the types the site uses. scripts/api-types.test.ts fails when the file
 * is stale.
 *
 * Usage: pnpm --filter @folio/api build && pnpm --filter @folio/web api-types
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const require = createRequire(import.meta.url);
export const documentPath = join(dirname(require.resolve("@folio/api/package.json")), "dist", "openapi.json");
export const generatedPath = fileURLToPath(new URL("../src/api/schema.gen.ts", import.meta.url));
export const REGENERATE = "pnpm --filter @folio/api build && pnpm --filter @folio/web api-types";

const HEADER = `/**
 * Generated from the API's OpenAPI document by apps/web/scripts/api-types.ts (openapi-typescript). Do not edit:
 * change the API's route declarations, then run \`${REGENERATE}\`.
 */
`;

export async function generateApiTypes(): Promise<string> {
  const document = JSON.parse(readFileSync(documentPath, "utf8")) as Parameters<typeof openapiTS>[0];
  return HEADER + astToString(await openapiTS(document, { alphabetize: true }));
}

if (import.meta.main) {
  writeFileSync(generatedPath, await generateApiTypes());
  console.log(`wrote ${generatedPath}`);
}
