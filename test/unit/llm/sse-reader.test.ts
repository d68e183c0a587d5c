import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  completeEvents,
  lastBoundaryEnd,
  readSse,
  StreamGuard,
  type UpstreamEvent,
} from "../../../server/llm/sse-reader";
import { BadResponse, ResponseTooLarge } from "../../../server/llm/errors";

async function* chunks(parts: string[]): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  for (const p of parts) yield enc.encode(p);
}

async function all(parts: string[]): Promise<UpstreamEvent[]> {
  const out: UpstreamEvent[] = [];
  for await (const ev of readSse(chunks(parts))) out.push(ev);
  return out;
}

describe("readSse", () => {
  it("keeps each event's raw data and parses it, across arbitrary chunk boundaries", async () => {
    const text = 'data: {"a":1}\n\ndata: {"b":"x y"}\n\ndata: [DONE]\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const evs = await all([text.slice(0, cut), text.slice(cut)]);
      assert.deepEqual(
        evs.map((e) => e.data),
        ['{"a":1}', '{"b":"x y"}', "[DONE]"],
        `cut at ${cut}`,
      );
      assert.deepEqual(evs[1]!.json, { b: "x y" });
      assert.equal(evs[2]!.done, true);
    }
  });

  it("handles CRLF, comments (keep-alives) and event names", async () => {
    const evs = await all([': keep-alive\r\n\r\nevent: delta\r\ndata: {"n":1}\r\n\r\ndata: [DONE]\r\n\r\n']);
    assert.deepEqual(
      evs.map((e) => [e.event, e.data]),
      [
        ["delta", '{"n":1}'],
        [undefined, "[DONE]"],
      ],
    );
  });

  it("decodes multi-byte characters split between chunks", async () => {
    const bytes = new TextEncoder().encode('data: {"t":"héllo 👋"}\n\n');
    const cut = bytes.indexOf(0xf0) + 2; // inside the emoji
    async function* split(): AsyncGenerator<Uint8Array> {
      yield bytes.slice(0, cut);
      yield bytes.slice(cut);
    }
    const out: UpstreamEvent[] = [];
    for await (const ev of readSse(split())) out.push(ev);
    assert.deepEqual(out[0]!.json, { t: "héllo 👋" });
  });

  it("rejects a chunk that is not a JSON object as BadResponse", async () => {
    await assert.rejects(all(['data: {"ok":1}\n\n', "data: {broken\n\n"]), BadResponse);
    await assert.rejects(all(["data: [1,2]\n\n"]), BadResponse);
  });

  it("yields nothing after [DONE] but reads the body to its end", async () => {
    let consumed = 0;
    async function* body(): AsyncGenerator<Uint8Array> {
      for (const p of ["data: [DONE]\n\n", 'data: {"late":1}\n\n', "trailing"]) {
        consumed++;
        yield new TextEncoder().encode(p);
      }
    }
    const out: UpstreamEvent[] = [];
    for await (const ev of readSse(body())) out.push(ev);
    assert.deepEqual(
      out.map((e) => e.data),
      ["[DONE]"],
    );
    assert.equal(consumed, 3, "drained, so the connection can be reused");
  });

  it("flushes a final event that lacks the trailing blank line", async () => {
    const evs = await all(['data: {"last":true}\n']);
    assert.deepEqual(
      evs.map((e) => e.json),
      [{ last: true }],
    );
  });

  it("stops at one event larger than the limit, even when it never ends", async () => {
    let read = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('data: {"ok":1}\n\ndata: {"x":"');
      const piece = new Uint8Array(1024).fill(0x61);
      for (;;) {
        read++;
        yield piece;
      }
    }
    const out: UpstreamEvent[] = [];
    await assert.rejects(
      (async () => {
        for await (const ev of readSse(endless(), { maxEventBytes: 64 * 1024, maxStreamBytes: 1 << 30 })) out.push(ev);
      })(),
      (e: unknown) => e instanceof ResponseTooLarge && /a single stream event larger than 64 KiB/.test(e.message),
    );
    assert.equal(out.length, 1, "events before the oversized one still came through");
    assert.ok(read <= 65, `stopped reading right at the limit (read ${read} KiB)`);
  });

  it("stops a stream whose total passes the limit, though each event is small", async () => {
    async function* many(): AsyncGenerator<Uint8Array> {
      for (;;) yield new TextEncoder().encode('data: {"t":"more"}\n\n');
    }
    await assert.rejects(
      (async () => {
        for await (const _ of readSse(many(), { maxEventBytes: 1024, maxStreamBytes: 100_000 })) void _;
      })(),
      (e: unknown) => e instanceof ResponseTooLarge && /a streamed answer larger than 100000 bytes/.test(e.message),
    );
  });
});

describe("StreamGuard", () => {
  it("finds event boundaries (LF, CRLF, split across reads), so many small events never add up to one", () => {
    for (const sep of ["\n\n", "\r\n\r\n"]) {
      const g = new StreamGuard({ maxEventBytes: 40, maxStreamBytes: 1 << 20 });
      for (let i = 0; i < 100; i++) g.check(Buffer.from(`data: {"n":${i}}${sep}`));
      // A blank line cut between two reads.
      for (let i = 0; i < 100; i++) {
        g.check(Buffer.from(`data: {"n":${i}}\n`));
        g.check(Buffer.from("\n"));
      }
    }
    const g = new StreamGuard({ maxEventBytes: 40, maxStreamBytes: 1 << 20 });
    g.check(Buffer.from("data: 0123456789012345678901234567890"));
    assert.throws(() => g.check(Buffer.from("0123456789")), ResponseTooLarge);
  });
});

describe("completeEvents / lastBoundaryEnd (the gateway's checks)", () => {
  it("finds events past keep-alive comments, in LF or CRLF, and where the last complete one ends", () => {
    assert.deepEqual(completeEvents(': ping\n\ndata: {"a":1}\n\ndata: {"b":2}\n\n'), [
      { data: '{"a":1}', event: undefined },
      { data: '{"b":2}', event: undefined },
    ]);
    assert.deepEqual(completeEvents('event: delta\r\ndata:{"a":1}\r\n\r\n'), [{ data: '{"a":1}', event: "delta" }]);
    assert.deepEqual(completeEvents(": only a comment\n\n"), []);
    const b = Buffer.from('data: {"a":1}\n\ndata: {"b"');
    assert.equal(lastBoundaryEnd(b), 'data: {"a":1}\n\n'.length);
    assert.equal(lastBoundaryEnd(Buffer.from('data: {"b"')), -1);
  });
});
