/**
 * CodebaseService over the real engine and local folders: stable ids, the bound on indexes
 * (least recently used idle one evicted, CODEBASE_BUSY when all are building), idle eviction,
 * queries waiting for a first build (or answering `partial` after the wait), and which roots
 * are refused.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { CodebaseService } from "../../../server/codebase/service";
import { createCodebaseIndex } from "../../../server/codebase/index";
import { createLocalFileSource } from "../../../server/codebase/local-source";
import { resolveLocalRoot } from "../../../server/codebase/roots";
import type { FileSource } from "../../../server/codebase/types";
import { AppError } from "../../../server/errors";
import { tmpRepo } from "./helpers";

const repos: { root: string; cleanup: () => void }[] = [];
const services: CodebaseService[] = [];
after(() => {
  for (const s of services) s.close();
  for (const r of repos) r.cleanup();
});

function repo(marker: string) {
  const r = tmpRepo({
    "src/retry.ts": `// retries a declined payment after a wait\nexport function retryPayment${marker}() { return 1; }\n`,
    "src/other.ts": "export function unrelatedThing() { return 2; }\n",
  });
  repos.push(r);
  return r.root;
}

/** A local source whose listing waits for `open()`: a build that stays in progress as long as a test needs. */
function gated(root: string): { source: FileSource; open: () => void } {
  const inner = createLocalFileSource(root);
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  return {
    open,
    source: {
      description: inner.description,
      async *list(o) {
        await gate;
        yield* inner.list(o);
      },
      read: (p, m, s) => inner.read(p, m, s),
    },
  };
}

function service(
  limits: ConstructorParameters<typeof CodebaseService>[0]["limits"] = {},
  gates?: Map<string, FileSource>,
) {
  const s = new CodebaseService({
    createIndex: createCodebaseIndex,
    localSource: (root) => gates?.get(root) ?? createLocalFileSource(root),
    limits,
    home: "/nonexistent-home",
  });
  services.push(s);
  return s;
}

const code = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return "ok";
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
};

const never = new AbortController().signal;

test("the same root gets the same id; a query waits for the first build and finds the behaviour", async () => {
  const root = repo("A");
  const s = service();
  const a = await s.ensure({ root });
  const b = await s.ensure({ root: join(root, "src", "..") });
  assert.equal(a.index_id, b.index_id);
  const q = await s.query({ index_id: a.index_id, question: "how is a declined payment retried?" }, never);
  assert.equal(q.partial, false);
  assert.equal(q.files[0]?.path, "src/retry.ts");
  assert.equal(s.view(a.index_id).status, "ready");
  assert.equal(s.view(a.index_id).files_indexed, 2);
});

test("a query gives up waiting after queryWaitMs and says the answer is partial", async () => {
  const root = repo("B");
  const g = gated(root);
  const s = service({ queryWaitMs: 50 }, new Map([[root, g.source]]));
  const v = await s.ensure({ root });
  const q = await s.query({ index_id: v.index_id, question: "declined payment" }, never);
  assert.equal(q.partial, true);
  assert.equal(s.view(v.index_id).status, "building");
  g.open();
});

test("at the bound the least recently used idle index is evicted; when all are building, CODEBASE_BUSY", async () => {
  const [r1, r2, r3] = [repo("C1"), repo("C2"), repo("C3")];
  const s = service({ maxIndexes: 2 });
  const a = await s.ensure({ root: r1 });
  const b = await s.ensure({ root: r2 });
  await s.query({ index_id: a.index_id, question: "x" }, never);
  await s.query({ index_id: b.index_id, question: "x" }, never);
  await s.query({ index_id: a.index_id, question: "y" }, never); // a used last: b is the victim
  await s.ensure({ root: r3 });
  assert.equal(await code(Promise.resolve().then(() => s.view(b.index_id))), "CODEBASE_NOT_FOUND");
  assert.equal(s.view(a.index_id).index_id, a.index_id);

  const [g1, g2] = [gated(repo("D1")), gated(repo("D2"))];
  const roots = [repo("D3"), repo("D4"), repo("D5")];
  const busy = service(
    { maxIndexes: 2 },
    new Map([
      [roots[0]!, g1.source],
      [roots[1]!, g2.source],
    ]),
  );
  await busy.ensure({ root: roots[0]! });
  await busy.ensure({ root: roots[1]! });
  assert.equal(await code(busy.ensure({ root: roots[2]! })), "CODEBASE_BUSY");
  g1.open();
  g2.open();
});

test("an index unused for idleMs is dropped", async () => {
  const root = repo("E");
  const s = service({ idleMs: 40 });
  const v = await s.ensure({ root });
  await s.query({ index_id: v.index_id, question: "payment" }, never);
  const deadline = Date.now() + 10_000;
  while (s.views().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  assert.equal(await code(Promise.resolve().then(() => s.view(v.index_id))), "CODEBASE_NOT_FOUND");
});

test("changes outside the root are refused; deleted files leave the index", async () => {
  const root = repo("F");
  const s = service();
  const v = await s.ensure({ root });
  await s.query({ index_id: v.index_id, question: "x" }, never);
  assert.equal(await code(s.changes({ index_id: v.index_id, changed: ["/etc/passwd"] })), "BAD_REQUEST");
  assert.equal(await code(s.changes({ index_id: v.index_id, changed: ["src/../../x"] })), "BAD_REQUEST");
  const r = await s.changes({ index_id: v.index_id, deleted: [join(root, "src/retry.ts")] });
  assert.equal(r.removed, 1);
  assert.equal(r.index.files_indexed, 1);
});

test("roots: relative, missing, a file, /, the home folder and above are refused", async () => {
  const root = repo("G");
  const codes = await Promise.all([
    code(resolveLocalRoot("src")),
    code(resolveLocalRoot(join(root, "missing"))),
    code(resolveLocalRoot(join(root, "src/retry.ts"))),
    code(resolveLocalRoot("/")),
    code(resolveLocalRoot(root, root)),
    code(resolveLocalRoot(root, join(root, "src"))),
    code(resolveLocalRoot(join(root, "src"), root)),
  ]);
  assert.deepEqual(codes, [
    "CODEBASE_ROOT_INVALID",
    "CODEBASE_ROOT_INVALID",
    "CODEBASE_ROOT_INVALID",
    "CODEBASE_ROOT_REFUSED",
    "CODEBASE_ROOT_REFUSED",
    "CODEBASE_ROOT_REFUSED",
    "ok",
  ]);
});
