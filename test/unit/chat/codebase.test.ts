/** @codebase in a chat turn: the question sent to the index, its share of the budget, the prompt section. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { codebaseBlock, codebaseReserve, retrievalQuestion } from "../../../server/chat/codebase";
import { estimateTokens } from "../../../common/tokens";
import type { Retrieved } from "../../../server/codebase/service";

test("the @codebase mention is not part of the retrieval question", () => {
  assert.equal(retrievalQuestion("@codebase where are payments retried?"), "where are payments retried?");
  assert.equal(retrievalQuestion("where, @codebase, are they?"), "where, , are they?");
  assert.equal(retrievalQuestion("mail me@codebase.io"), "mail me@codebase.io");
  assert.equal(retrievalQuestion("@codebase"), "@codebase");
});

test("the reserve: the client's figure within the budget, else half with other mentions, else all", () => {
  assert.equal(codebaseReserve({ index_id: "cb_1", budget_tokens: 3000 }, 16_000, 2), 3000);
  assert.equal(codebaseReserve({ index_id: "cb_1", budget_tokens: 30_000 }, 16_000, 0), 16_000);
  assert.equal(codebaseReserve({ index_id: "cb_1" }, 16_000, 1), 8000);
  assert.equal(codebaseReserve({ index_id: "cb_1" }, 16_000, 0), 16_000);
});

const retrieved = (context: string, partial = false): Retrieved => ({
  response: {
    index_id: "cb_1",
    context,
    files: [{ path: "a.ts", start_line: 1, end_line: 3, reason: "matches" }],
    partial,
  },
  view: {
    index_id: "cb_1",
    status: "ready",
    files_indexed: 1,
    files_total: 1,
    truncated: false,
    root: "/repo",
    workspace_id: null,
    updated_at: 1,
  },
});

test("the section stays within its budget, fences what it holds, and the sources event names the files", () => {
  const long = "```\nfenced\n```\n" + "x".repeat(30_000);
  const b = codebaseBlock(retrieved(long), 1000);
  assert.ok(b.tokens <= 1000, String(b.tokens));
  assert.match(b.text, /^### Codebase: retrieved for this question from \/repo\n````text\n/);
  assert.deepEqual(
    b.sources.files.map((f) => f.path),
    ["a.ts"],
  );
  assert.equal(b.sources.type, "sources");
  const partial = codebaseBlock(retrieved("a.ts:1-3\nconst a = 1;", true), 1000);
  assert.match(partial.text, /still being built/);
  assert.equal(partial.tokens, estimateTokens("a.ts:1-3\nconst a = 1;"));
  assert.equal(codebaseBlock(retrieved("  "), 1000).text, "");
});
