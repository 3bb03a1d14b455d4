/**
 * Writes the OpenAPI document, built from the route declarations without any server, to the file given as the
 * argument (or to stdout). The build runs it, so dist/openapi.json is what apps/web generates its API types from.
 *
 * Usage: node dist/openapi.js [dist/openapi.json]
 */
import { writeFileSync } from "node:fs";
import { openApiDocument } from "./entry-points/http/document.js";

const json = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
const [file] = process.argv.slice(2);
if (file) writeFileSync(file, json);
else process.stdout.write(json);
