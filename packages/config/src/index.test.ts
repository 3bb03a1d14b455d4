import { describe, expect, it } from "vitest";
import { ConfigError, bool, csv, parseConfig, port, url, z } from "./index.js";

const schema = z.object({
  PORT: port(8080),
  DATABASE_URL: url(["postgres", "postgresql"]),
  DEBUG: bool(false),
  ORIGINS: csv(),
});

describe("parseConfig", () => {
  it("when every value is valid, then it returns typed values with defaults filled in", () => {
    const config = parseConfig(schema, { DATABASE_URL: "postgres://db/folio", ORIGINS: "http://a, http://b,," });
    expect(config).toEqual({ PORT: 8080, DATABASE_URL: "postgres://db/folio", DEBUG: false, ORIGINS: ["http://a", "http://b"] });
  });

  it("when several values are invalid, then the error lists every problem", () => {
    let error: unknown;
    try {
      parseConfig(schema, { PORT: "99999", DEBUG: "maybe" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toMatch(/PORT/);
    expect(problems.join("\n")).toMatch(/DATABASE_URL/);
    expect(problems.join("\n")).toMatch(/DEBUG/);
  });

  it("when a URL has the wrong scheme, then the problem names the expected scheme", () => {
    expect(() => parseConfig(schema, { DATABASE_URL: "mysql://db/folio" })).toThrow(/postgres:\/\//);
  });

  it("when a value is an empty string, then it counts as unset", () => {
    expect(parseConfig(schema, { DATABASE_URL: "postgres://db/x", PORT: "" }).PORT).toBe(8080);
  });

  it("when parsed, then the result is frozen", () => {
    const config = parseConfig(schema, { DATABASE_URL: "postgres://db/x" });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.ORIGINS)).toBe(true);
  });

  it("when a boolean is spelled yes or 1, then it is true", () => {
    expect(parseConfig(schema, { DATABASE_URL: "postgres://db/x", DEBUG: "yes" }).DEBUG).toBe(true);
    expect(parseConfig(schema, { DATABASE_URL: "postgres://db/x", DEBUG: "1" }).DEBUG).toBe(true);
  });
});
