import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { candidatePaths, importSpecifiers } from "../../../../extension/completion/imports";
import { RecentEdits, regionText } from "../../../../extension/completion/recent-edits";

describe("importSpecifiers / candidatePaths", () => {
  test("relative JS/TS imports (import, export from, dynamic import, require); packages are skipped", () => {
    const src = [
      'import { a } from "./a";',
      "import b from '../lib/b.js';",
      'export * from "./c";',
      'const d = require("./d");',
      'const e = await import("./e");',
      'import fs from "node:fs";',
      'import React from "react";',
    ].join("\n");
    assert.deepEqual(importSpecifiers(src, "typescript"), ["./a", "../lib/b.js", "./c", "./d", "./e"]);
    assert.deepEqual(importSpecifiers(src, "plaintext"), []);
  });

  test("TS sources importing ./x.js try x.ts first", () => {
    const c = candidatePaths("/w/src/main.ts", "../lib/b.js", "typescript");
    assert.equal(c[0], "/w/lib/b");
    assert.ok(c.indexOf("/w/lib/b.ts") < c.indexOf("/w/lib/b.js"));
  });

  test("python: relative and sibling modules", () => {
    const src = "from .models import User\nfrom ..util.text import slug\nimport helpers\nfrom . import views\n";
    const specs = importSpecifiers(src, "python");
    assert.ok(specs.includes("./models"));
    assert.ok(specs.includes("../util/text"));
    assert.ok(specs.includes("./helpers"));
    assert.ok(specs.includes("./__init__"));
    assert.deepEqual(candidatePaths("/w/app/main.py", "./models", "python"), [
      "/w/app/models.py",
      "/w/app/models/__init__.py",
    ]);
  });
});

describe("RecentEdits", () => {
  test("nearby edits merge, newest first, bounded", () => {
    const r = new RecentEdits(3, 5);
    r.record("a", "/a", 10, 10);
    r.record("a", "/a", 13, 14);
    r.record("b", "/b", 1, 1);
    assert.deepEqual(
      r.relevant("x", 0).map((e) => [e.docId, e.startLine, e.endLine]),
      [
        ["b", 1, 1],
        ["a", 10, 14],
      ],
    );
    r.record("c", "/c", 0, 0);
    r.record("d", "/d", 0, 0);
    assert.equal(r.relevant("x", 0).length, 3);
  });

  test("edits near the cursor in the same document are left out (the windows hold them)", () => {
    const r = new RecentEdits();
    r.record("a", "/a", 100, 101);
    r.record("a", "/a", 500, 500);
    assert.deepEqual(
      r.relevant("a", 110).map((e) => e.startLine),
      [500],
    );
    r.forget("a");
    assert.deepEqual(r.relevant("b", 0), []);
  });

  test("regionText takes context lines around the region", () => {
    const text = Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n");
    assert.equal(regionText(text, { startLine: 5, endLine: 6 }, 1), "l4\nl5\nl6\nl7");
    assert.equal(regionText(text, { startLine: 0, endLine: 0 }, 2), "l0\nl1\nl2");
  });
});
