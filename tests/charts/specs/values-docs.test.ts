/**
 * STYLE: "values.yaml: every key documented where it is declared". A key is documented by a comment right
 * above it (which covers its whole value, e.g. `resources`); a section without a comment of its own (`ingress:`)
 * is documented when each of its keys is. Also: the schema declares every key values.yaml has.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isMap, parseDocument, type Node } from "yaml";
import { chartsDir, subcharts } from "../src/paths.js";

const charts = ["folio", ...subcharts];

function undocumented(node: unknown, path: string[] = []): string[] {
  if (!isMap(node)) return [];
  return node.items.flatMap((pair, index) => {
    const here = [...path, String((pair.key as { value: unknown }).value)];
    // The comment above a map's first key is parsed as the map's own comment.
    const comment = (pair.key as Node).commentBefore || (index === 0 ? node.commentBefore : undefined);
    if (comment) return [];
    return isMap(pair.value) ? undocumented(pair.value, here) : [here.join(".")];
  });
}

interface Schema {
  properties?: Record<string, Schema>;
  $ref?: string;
  additionalProperties?: boolean | Schema;
  definitions?: Record<string, Schema>;
}

/** Keys of values.yaml that the schema does not declare (maps of free keys, like `env`, are not descended). */
function undeclared(values: unknown, schema: Schema, root: Schema, path: string[] = []): string[] {
  if (!values || typeof values !== "object" || Array.isArray(values)) return [];
  const resolved = schema.$ref ? root.definitions![schema.$ref.replace("#/definitions/", "")]! : schema;
  if (!resolved.properties) return [];
  return Object.entries(values).flatMap(([key, value]) => {
    const child = resolved.properties![key];
    if (!child) return resolved.additionalProperties === false ? [[...path, key].join(".")] : [];
    return undeclared(value, child, root, [...path, key]);
  });
}

describe("values.yaml", () => {
  for (const chart of charts) {
    it(`when the ${chart} chart declares a value, then a comment documents it`, () => {
      const document = parseDocument(readFileSync(`${chartsDir}/${chart}/values.yaml`, "utf8"));
      expect(undocumented(document.contents)).toEqual([]);
    });

    it(`when the ${chart} chart declares a value, then its schema declares it too and forbids unknown keys at the root`, () => {
      const values = parseDocument(readFileSync(`${chartsDir}/${chart}/values.yaml`, "utf8")).toJSON() as Record<string, unknown>;
      const schema = JSON.parse(readFileSync(`${chartsDir}/${chart}/values.schema.json`, "utf8")) as Schema;
      expect(schema.additionalProperties).toBe(false);
      expect(undeclared(values, schema, schema)).toEqual([]);
    });
  }
});
