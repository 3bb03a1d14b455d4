import { describe, expect, it } from "vitest";
import { LineJoiner, TRUNCATED_MARK, parseCriLine, parsePayload, truncateUtf8, type CriLine, type JoinedLine } from "./cri.js";

const line = (text: string) => parseCriLine(Buffer.from(text));
const joined = (text: string, truncated = false): JoinedLine => ({ time: "t", stream: "stdout", message: Buffer.from(text), start: 0, truncated });
const piece = (stream: CriLine["stream"], partial: boolean, text: string | Buffer): CriLine => ({
  time: "2026-03-01T10:00:00.000000001Z",
  stream,
  partial,
  message: Buffer.isBuffer(text) ? text : Buffer.from(text),
});

describe("parseCriLine", () => {
  it("when a line is in the CRI format, then its time, stream, tag and message are read", () => {
    const parsed = line("2026-03-01T10:00:00.123456789Z stderr F boom: it failed");
    expect(parsed).toMatchObject({ time: "2026-03-01T10:00:00.123456789Z", stream: "stderr", partial: false });
    expect(parsed!.message.toString()).toBe("boom: it failed");
  });

  it("when the message has spaces at its edges or the tag has more tags after a colon, then the message is kept exactly", () => {
    expect(line("2026-03-01T10:00:00Z stdout P:x   indented ")!.message.toString()).toBe("  indented ");
    expect(line("2026-03-01T10:00:00Z stdout P:x   indented ")!.partial).toBe(true);
    expect(line("2026-03-01T10:00:00+02:00 stdout F ok")!.time).toBe("2026-03-01T10:00:00+02:00");
  });

  it("when the record is empty, with or without the space before the message, then the message is empty", () => {
    expect(line("2026-03-01T10:00:00Z stdout F ")!.message.length).toBe(0);
    expect(line("2026-03-01T10:00:00Z stdout F")!.message.length).toBe(0);
  });

  it("when a line is not in the CRI format, then it is rejected", () => {
    for (const bad of [
      "",
      "hello world",
      "not-a-time stdout F message",
      "2026-03-01T10:00:00Z stdin F message",
      "2026-03-01T10:00:00Z stdout X message",
      '{"level":30,"msg":"a docker json-file line"}',
    ]) {
      expect(line(bad), bad).toBeUndefined();
    }
  });
});

describe("LineJoiner", () => {
  it("when P pieces arrive before their F, then one line is made from them, with the first piece's time and offset", () => {
    const joiner = new LineJoiner(1024);
    expect(joiner.add({ ...piece("stdout", true, "hel"), time: "first" }, 10)).toBeUndefined();
    expect(joiner.pendingStart).toBe(10);
    expect(joiner.add(piece("stdout", true, "lo "), 50)).toBeUndefined();
    const result = joiner.add(piece("stdout", false, "world"), 90);
    expect(result).toMatchObject({ time: "first", stream: "stdout", start: 10, truncated: false });
    expect(result!.message.toString()).toBe("hello world");
    expect(joiner.pendingStart).toBeUndefined();
  });

  it("when stdout and stderr pieces interleave, then each stream is joined on its own", () => {
    const joiner = new LineJoiner(1024);
    joiner.add(piece("stdout", true, "out-1 "), 0);
    const err = joiner.add(piece("stderr", false, "err"), 40);
    expect(err!.message.toString()).toBe("err");
    expect(joiner.pendingStart).toBe(0); // stdout's line is still open
    expect(joiner.add(piece("stdout", false, "out-2"), 80)!.message.toString()).toBe("out-1 out-2");
  });

  it("when the runtime cut a line inside a UTF-8 character, then the joined line decodes intact", () => {
    const bytes = Buffer.from("grüße");
    const joiner = new LineJoiner(1024);
    joiner.add(piece("stdout", true, bytes.subarray(0, 3)), 0); // "gr" and the first byte of "ü"
    expect(joiner.add(piece("stdout", false, bytes.subarray(3)), 20)!.message.toString()).toBe("grüße");
  });

  it("when a line is longer than the limit, then it is cut at a character boundary and marked, and later pieces are dropped", () => {
    const joiner = new LineJoiner(8);
    joiner.add(piece("stdout", true, "aaaaaa"), 0);
    joiner.add(piece("stdout", true, "éé"), 20); // 4 bytes: the cut at 8 falls inside the second "é"
    joiner.add(piece("stdout", true, "never kept"), 40);
    const result = joiner.add(piece("stdout", false, "nor this"), 60)!;
    expect(result.message.toString()).toBe("aaaaaaé");
    expect(result.truncated).toBe(true);
  });

  it("when a file ends in the middle of a line, then flush returns what was joined so far", () => {
    const joiner = new LineJoiner(1024);
    joiner.add(piece("stderr", true, "half a line"), 5);
    expect(joiner.flush().map((l) => [l.message.toString(), l.start])).toEqual([["half a line", 5]]);
    expect(joiner.pendingStart).toBeUndefined();
  });
});

describe("truncateUtf8", () => {
  it("when the cut would split a character, then it moves back to the character's start", () => {
    expect(truncateUtf8(Buffer.from("a€b"), 3).toString()).toBe("a"); // € is 3 bytes
    expect(truncateUtf8(Buffer.from("a€b"), 4).toString()).toBe("a€");
    expect(truncateUtf8(Buffer.from("short"), 100).toString()).toBe("short");
  });
});

describe("parsePayload", () => {
  it("when a line is from pino, then the level is named and the message is msg followed by the other fields", () => {
    const text = JSON.stringify({ level: 30, time: "x", pid: 1, hostname: "h", name: "api", req: { method: "GET", url: "/v1/x" }, msg: "request completed" });
    expect(parsePayload(joined(text))).toEqual({ level: "info", message: 'request completed {"name":"api","req":{"method":"GET","url":"/v1/x"}}' });
  });

  it("when the level is a label (Folio's logger), then it is used as it is; an unknown number is left out", () => {
    expect(parsePayload(joined('{"level":"warn","msg":"slow"}'))).toEqual({ level: "warn", message: "slow" });
    expect(parsePayload(joined('{"level":35,"msg":"odd"}'))).toEqual({ message: "odd" });
  });

  it("when a line is not JSON, is JSON but not an object, or has no msg, then the text is kept", () => {
    expect(parsePayload(joined("plain text"))).toEqual({ message: "plain text" });
    expect(parsePayload(joined("{broken"))).toEqual({ message: "{broken" });
    expect(parsePayload(joined('{"level":50,"error":"x"}'))).toEqual({ level: "error", message: '{"level":50,"error":"x"}' });
  });

  it("when the line was cut, then it is shipped as marked text, not parsed", () => {
    expect(parsePayload(joined('{"level":30,"msg":"lo', true))).toEqual({ message: `{"level":30,"msg":"lo${TRUNCATED_MARK}` });
  });
});
