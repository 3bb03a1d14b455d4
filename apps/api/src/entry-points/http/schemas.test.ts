import { describe, expect, it } from "vitest";
import { PG_INTEGER_MAX, decimalUpTo } from "./schemas.js";

describe("decimalUpTo", () => {
  const matches = (max: number, text: string) => new RegExp(`^(?:${decimalUpTo(max)})$`).test(text);

  it("when the bound is PostgreSQL's integer maximum, then every number up to it matches and none above", () => {
    for (const n of [1, 9, 10, 99, 1_000_000_000, 1_999_999_999, 2_099_999_999, 2_147_483_639, 2_147_483_646, PG_INTEGER_MAX]) {
      expect(matches(PG_INTEGER_MAX, String(n)), String(n)).toBe(true);
    }
    for (const text of ["0", "01", "2147483648", "2147483650", "2148000000", "3000000000", "9999999999", "10000000000", "-1", "1.0", ""]) {
      expect(matches(PG_INTEGER_MAX, text), text).toBe(false);
    }
  });

  it("when checked against every number near small bounds, then exactly 1 to the bound matches", () => {
    for (const max of [1, 7, 10, 19, 20, 99, 100, 101, 305, 1000]) {
      for (let n = 0; n <= max * 2 + 10; n++) expect(matches(max, String(n)), `${n} ≤ ${max}`).toBe(n >= 1 && n <= max);
    }
  });
});
