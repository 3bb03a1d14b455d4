import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REGENERATE, generateApiTypes, generatedPath } from "./api-types.ts";

describe("the web app's API types", () => {
  it("when generated again from the API's document, then src/api/schema.gen.ts is unchanged", async () => {
    expect(readFileSync(generatedPath, "utf8"), `src/api/schema.gen.ts is stale: run ${REGENERATE}`).toBe(await generateApiTypes());
  });
});
