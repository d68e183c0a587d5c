/**
 * Golden cases for the edit engine (format: golden/README.md). Each case is streamed in
 * several chunkings; the provisional diff, the final hunks and the text must match.
 * `UPDATE_GOLDEN=1` rewrites the expected sections from the actual output — review the
 * git diff before committing it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runEdit, type EditModel } from "../../../server/edit/session";
import { AppError } from "../../../server/errors";
import type { DiffLine, EditEvent, Hunk } from "../../../server/api/edit";

const DIR = join(__dirname, "golden");
const NL_MARK = "⏎";

interface Case {
  name: string;
  header: string[];
  sections: Map<string, string>;
  order: string[];
}

function parse(name: string, raw: string): Case {
  const header: string[] = [];
  const sections = new Map<string, string>();
  const order: string[] = [];
  let current: string | undefined;
  let buf: string[] = [];
  const flush = () => {
    if (current === undefined) return;
    // A last line "⏎" stands for the section's final newline.
    const text = buf.join("\n");
    sections.set(current, buf[buf.length - 1] === NL_MARK ? text.slice(0, -NL_MARK.length) : text);
  };
  const lines = raw.replace(/\n$/, "").split("\n");
  for (const line of lines) {
    const m = /^=== (\w+)$/.exec(line);
    if (m) {
      flush();
      current = m[1]!;
      order.push(current);
      buf = [];
    } else if (current === undefined) header.push(line);
    else buf.push(line);
  }
  flush();
  return { name, header, sections, order };
}

function model(answer: string, chunk: number): EditModel {
  return {
    async *streamChat() {
      for (let i = 0; i < answer.length; i += chunk) yield answer.slice(i, i + chunk);
    },
  };
}

function renderStream(lines: DiffLine[]): string {
  return lines.map((l) => (l.kind === "same" ? "  " : l.kind === "added" ? "+ " : "- ") + l.text).join("\n");
}

function renderHunks(hunks: Hunk[]): string {
  return hunks
    .map((h) =>
      [
        `@@ -${h.oldStart},${h.oldLines.length} +${h.newStart},${h.newLines.length} @@`,
        ...h.oldLines.map((l) => "-" + l),
        ...h.newLines.map((l) => "+" + l),
      ].join("\n"),
    )
    .join("\n");
}

/** For partial-selection cases: which part of the original line is selected. */
const PARTIAL: Record<string, { prefix: string; suffix: string }> = {
  "partial-selection.txt": { prefix: "return ", suffix: ";" },
  "partial-selection-delete.txt": { prefix: "foo(1, ", suffix: " 2);" },
};

async function run(
  original: string,
  answer: string,
  chunk: number,
  partial?: { prefix: string; suffix: string },
): Promise<{ stream: string; hunks: string; text: string } | { error: string }> {
  const streamed: DiffLine[] = [];
  let done: Extract<EditEvent, { type: "done" }> | undefined;
  try {
    const req = partial
      ? {
          filepath: "x",
          languageId: "plaintext",
          instruction: "do it",
          linePrefix: partial.prefix,
          lineSuffix: partial.suffix,
          code: original.slice(partial.prefix.length, original.length - partial.suffix.length),
        }
      : { filepath: "x", languageId: "plaintext", instruction: "do it", code: original };
    for await (const ev of runEdit(model(answer, chunk), req, new AbortController().signal)) {
      if (ev.type === "lines") streamed.push(...ev.lines);
      if (ev.type === "done") done = ev;
    }
  } catch (err) {
    if (err instanceof AppError) return { error: err.code };
    throw err;
  }
  assert.ok(done, "a done event");
  return { stream: renderStream(streamed), hunks: renderHunks(done.hunks), text: done.text };
}

function serialize(c: Case): string {
  const out = [...c.header];
  for (const s of c.order) {
    out.push(`=== ${s}`);
    const v = c.sections.get(s)!;
    if (v.endsWith("\n")) out.push(v + NL_MARK);
    else if (v !== "") out.push(v);
  }
  return out.join("\n") + "\n";
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".txt"))
  .sort();
test("golden edit cases exist", () => assert.ok(files.length >= 10, `only ${files.length} cases`));

for (const file of files) {
  const c = parse(file, readFileSync(join(DIR, file), "utf8"));
  test(`edit golden: ${file.replace(/\.txt$/, "")}`, async () => {
    let original = c.sections.get("original") ?? "";
    if (file.includes("crlf")) original = original.replace(/\n/g, "\r\n");
    // Partial-selection cases select a middle slice of the single original line.
    const partial = PARTIAL[file];
    const answer = c.sections.get("model") ?? "";
    const results = [];
    for (const chunk of [1, 7, Math.max(1, answer.length)]) results.push(await run(original, answer, chunk, partial));
    for (const r of results.slice(1))
      assert.deepEqual(r, results[0], "result must not depend on how the stream is chunked");
    const r = results[0]!;

    if (process.env.UPDATE_GOLDEN === "1") {
      if ("error" in r) c.sections.set("error", r.error);
      else {
        c.sections.set("stream", r.stream);
        c.sections.set("hunks", r.hunks);
        if (c.sections.has("text"))
          c.sections.set("text", file.includes("crlf") ? r.text.replace(/\r\n/g, "\n") : r.text);
      }
      writeFileSync(join(DIR, file), serialize(c));
      return;
    }
    if (c.sections.has("error")) {
      assert.deepEqual(r, { error: c.sections.get("error")!.trim() });
      return;
    }
    assert.ok(!("error" in r), `unexpected error ${JSON.stringify(r)}`);
    assert.equal(r.stream, c.sections.get("stream"), "provisional streamed diff");
    assert.equal(r.hunks, c.sections.get("hunks"), "final hunks");
    if (c.sections.has("text")) {
      let expected = c.sections.get("text")!;
      if (file.includes("crlf")) expected = expected.replace(/\n/g, "\r\n");
      assert.equal(r.text, expected, "final text");
    }
  });
}
