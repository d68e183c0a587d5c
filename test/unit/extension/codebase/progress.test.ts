/** The codebase status bar item's words: files indexed/total while building, the count when ready. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { progressLook } from "../../../../extension/codebase/progress";

test("indexing shows files indexed of total, or that files are still being listed", () => {
  assert.equal(
    progressLook({ state: "indexing", indexed: 120, total: 4200 }, "shop").text,
    "$(sync~spin) Indexing 120/4,200",
  );
  assert.match(progressLook({ state: "indexing", indexed: 120, total: 4200 }, "shop").tooltip, /"shop".*\(2%\)/);
  assert.equal(progressLook({ state: "indexing", indexed: 0, total: 0 }, "shop").text, "$(sync~spin) Indexing…");
});

test("ready shows the count; a failure says why and offers a retry", () => {
  assert.equal(progressLook({ state: "ready", indexed: 42, total: 42 }, "shop").text, "$(database) Indexed 42 files");
  assert.equal(progressLook({ state: "ready", indexed: 1, total: 1 }, "shop").text, "$(database) Indexed 1 file");
  const failed = progressLook({ state: "failed", indexed: 0, total: 0, message: "Folder not found." }, "shop");
  assert.equal(failed.text, "$(warning) Index failed");
  assert.match(failed.tooltip, /Folder not found\. Click to try again/);
});
