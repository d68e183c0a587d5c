/** Mention resolution (extension/chat/resolve.ts) against an in-memory MentionHost. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  looksBinary,
  MAX_FILE_CHARS,
  MAX_READ_BYTES,
  resolveMentions,
  safeRelative,
  type MentionHost,
  type ProblemInfo,
  type SelectionInfo,
} from "../../../extension/chat/resolve";
import type { CodebaseTarget } from "../../../extension/codebase/target";

const enc = (s: string) => new TextEncoder().encode(s);

function host(
  files: Record<string, Uint8Array>,
  opts: {
    ignored?: string[];
    selection?: SelectionInfo;
    problems?: ProblemInfo[];
    terminal?: { name: string; text: string };
    workspaces?: Record<string, string>;
    codebase?: CodebaseTarget | { error: string };
  } = {},
): MentionHost & { reads: { path: string; max: number }[] } {
  const reads: { path: string; max: number }[] = [];
  return {
    reads,
    async readHead(path, max) {
      reads.push({ path, max });
      const f = files[path];
      return f ? { bytes: f.subarray(0, max), size: f.length } : undefined;
    },
    async isIgnored(path) {
      return (opts.ignored ?? []).includes(path);
    },
    languageOf: (p) => (p.endsWith(".ts") ? "typescript" : "plaintext"),
    selection: () => opts.selection,
    problems: () => opts.problems ?? [],
    terminal: () => opts.terminal,
    codebase: () => opts.codebase ?? { error: "Open a folder first: @codebase searches the open folder." },
    async workspace(name) {
      const all = opts.workspaces ?? {};
      const key = name ?? Object.keys(all)[0];
      const tree = key !== undefined ? all[key] : undefined;
      return tree !== undefined ? { name: key!, tree, truncated: false } : { error: "No Docker workspace is running." };
    },
  };
}

test("a text file becomes context; its chip is clean", async () => {
  const r = await resolveMentions(
    [{ kind: "file", path: "src/app.ts" }],
    host({ "src/app.ts": enc("export const a = 1;\n") }),
  );
  assert.deepEqual(r.chips, [{ mention: { kind: "file", path: "src/app.ts" }, label: "src/app.ts" }]);
  assert.deepEqual(r.context, [
    {
      kind: "file",
      label: "src/app.ts",
      path: "src/app.ts",
      languageId: "typescript",
      content: "export const a = 1;\n",
    },
  ]);
});

test("paths with spaces resolve like any other", async () => {
  const r = await resolveMentions(
    [{ kind: "file", path: "docs/secret notes.txt" }],
    host({ "docs/secret notes.txt": enc("FACT: purple\n") }),
  );
  assert.equal(r.chips[0]!.error, undefined);
  assert.equal(r.context[0]!.content, "FACT: purple\n");
});

test("a missing file is a chip error, not a failure", async () => {
  const r = await resolveMentions([{ kind: "file", path: "nope.txt" }], host({}));
  assert.match(r.chips[0]!.error!, /not found/);
  assert.deepEqual(r.context, []);
});

test("binary files are refused: NUL bytes or invalid UTF-8", async () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
  const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe, 0x41]);
  const r = await resolveMentions(
    [
      { kind: "file", path: "logo.png" },
      { kind: "file", path: "blob.bin" },
    ],
    host({ "logo.png": png, "blob.bin": latin1 }),
  );
  assert.match(r.chips[0]!.error!, /Binary/);
  assert.match(r.chips[1]!.error!, /Binary/);
  assert.deepEqual(r.context, []);
});

test("looksBinary accepts UTF-8 text, even when the 8 KB window cuts a character", () => {
  assert.equal(looksBinary(enc("héllo wörld ✓")), false);
  const text = enc("a".repeat(8191) + "é" + "tail");
  assert.equal(looksBinary(text), false);
  assert.equal(looksBinary(enc("")), false);
});

test("huge files: only the head is read, cut to the cap, and marked on chip and item", async () => {
  const line = "const value = 'abcdefghijklmnopqrstuvwxyz';\n";
  const big = enc(line.repeat(Math.ceil((MAX_READ_BYTES * 3) / line.length)));
  const h = host({ "big.ts": big });
  const r = await resolveMentions([{ kind: "file", path: "big.ts" }], h);
  assert.equal(h.reads[0]!.max, MAX_READ_BYTES, "never reads the whole file");
  const item = r.context[0]!;
  assert.equal(item.clientTruncated, true);
  assert.ok(item.content.length <= MAX_FILE_CHARS);
  assert.equal(item.originalChars, big.length);
  assert.equal(r.chips[0]!.truncated, true);
  assert.match(r.chips[0]!.note!, /Huge file: only the first ~\d+k of ~\d+k tokens/);
});

test("a multi-byte character cut by the read window does not leave a replacement character", async () => {
  const content = enc("é".repeat(MAX_READ_BYTES)); // 2 bytes each: the window ends mid-file
  const r = await resolveMentions([{ kind: "file", path: "accents.txt" }], host({ "accents.txt": content }));
  assert.ok(!r.context[0]!.content.includes("\uFFFD"));
});

test("secret files and private keys never become context", async () => {
  const key = enc("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n");
  const r = await resolveMentions(
    [
      { kind: "file", path: ".env" },
      { kind: "file", path: "config/.env.local" },
      { kind: "file", path: "certs/server.pem" },
      { kind: "file", path: "id_rsa" },
      { kind: "file", path: "notes.txt" },
    ],
    host({
      ".env": enc("A=1"),
      "config/.env.local": enc("B=2"),
      "certs/server.pem": enc("x"),
      id_rsa: key,
      "notes.txt": key,
    }),
  );
  assert.equal(r.context.length, 0);
  for (const c of r.chips) assert.ok(c.error, `${c.label} refused`);
  assert.match(r.chips[4]!.error!, /private key/);
});

test("ignored files and paths outside the workspace are refused", async () => {
  const r = await resolveMentions(
    [
      { kind: "file", path: "dist/out.js" },
      { kind: "file", path: "../etc/passwd" },
      { kind: "file", path: "/etc/passwd" },
    ],
    host({ "dist/out.js": enc("x") }, { ignored: ["dist/out.js"] }),
  );
  assert.match(r.chips[0]!.error!, /Excluded/);
  assert.match(r.chips[1]!.error!, /inside the workspace/);
  assert.match(r.chips[2]!.error!, /inside the workspace/);
  assert.equal(safeRelative("C:/x"), undefined);
  assert.equal(safeRelative("./a/b"), "a/b");
});

test("selection, problems and terminal", async () => {
  const r = await resolveMentions(
    [{ kind: "selection" }, { kind: "problems" }, { kind: "terminal" }],
    host(
      {},
      {
        selection: { path: "src/a.ts", languageId: "typescript", text: "let x = 1;", startLine: 3, endLine: 3 },
        problems: [{ path: "src/a.ts", line: 3, column: 5, severity: "error", message: "x is unused", source: "ts" }],
        terminal: { name: "bash", text: "$ npm test\n1 failing\n" },
      },
    ),
  );
  assert.deepEqual(
    r.chips.map((c) => [c.label, c.error]),
    [
      ["src/a.ts:3-3", undefined],
      ["problems (1)", undefined],
      ["terminal: bash", undefined],
    ],
  );
  assert.equal(r.context[0]!.content, "let x = 1;");
  assert.equal(r.context[1]!.content, "src/a.ts:3:5 error: x is unused (ts)");
  assert.match(r.context[2]!.content, /1 failing/);
});

test("empty selection, no problems, no terminal output, no workspaces: explained on the chip", async () => {
  const r = await resolveMentions(
    [{ kind: "selection" }, { kind: "problems" }, { kind: "terminal" }, { kind: "workspace" }],
    host({}),
  );
  assert.deepEqual(r.context, []);
  assert.match(r.chips[0]!.error!, /Nothing is selected/);
  assert.match(r.chips[1]!.error!, /No problems/);
  assert.match(r.chips[2]!.error!, /shell integration/);
  assert.match(r.chips[3]!.error!, /No Docker workspace/);
});

test("long terminal output keeps the most recent part", async () => {
  const text = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join("\n");
  const r = await resolveMentions([{ kind: "terminal" }], host({}, { terminal: { name: "zsh", text } }));
  assert.ok(r.context[0]!.content.endsWith("line 4999"));
  assert.equal(r.context[0]!.clientTruncated, true);
  assert.equal(r.chips[0]!.truncated, true);
});

test("duplicates are resolved once", async () => {
  const h = host({ "a.ts": enc("a") });
  const r = await resolveMentions(
    [
      { kind: "file", path: "a.ts" },
      { kind: "file", path: "./a.ts" },
    ],
    h,
  );
  assert.equal(r.chips.length, 2, "different spellings are separate mentions");
  const r2 = await resolveMentions(
    [
      { kind: "file", path: "a.ts" },
      { kind: "file", path: "a.ts" },
    ],
    h,
  );
  assert.equal(r2.chips.length, 1);
});

test("@workspace attaches the workspace's file tree; unknown or none is a chip error", async () => {
  const h = host({}, { workspaces: { api: "app.py\nrequirements.txt\nsrc/" } });
  const r = await resolveMentions(
    [
      { kind: "workspace", name: "api" },
      { kind: "workspace", name: "web" },
    ],
    h,
  );
  assert.deepEqual(r.chips[0], { mention: { kind: "workspace", name: "api" }, label: "workspace:api" });
  assert.match(r.context[0]!.content, /Docker workspace "api"[\s\S]*requirements.txt/);
  assert.match(r.chips[1]!.error!, /No Docker workspace/);
});

test("@codebase names what the backend searches (no file content is attached), or why it cannot", async () => {
  const target: CodebaseTarget = { kind: "local", root: "/home/u/shop", name: "shop" };
  const r = await resolveMentions([{ kind: "codebase" }, { kind: "codebase" }], host({}, { codebase: target }));
  assert.deepEqual(r.codebase, target);
  assert.deepEqual(r.chips, [{ mention: { kind: "codebase" }, label: "codebase: shop" }]);
  assert.deepEqual(r.context, [], "retrieval happens in the backend, not here");
  const none = await resolveMentions([{ kind: "codebase" }], host({}));
  assert.equal(none.codebase, undefined);
  assert.match(none.chips[0]?.error ?? "", /Open a folder/);
});
