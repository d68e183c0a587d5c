/** Mention parsing (common/mentions.ts) and the picker's active query (webview-ui/mention-query.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatMention, parseMentions, uniqueMentions, type Mention } from "../../../common/mentions";
import { activeMentionQuery } from "../../../webview-ui/mention-query";

const mentions = (text: string): Mention[] => parseMentions(text).map((p) => p.mention);

test("keywords and plain paths", () => {
  assert.deepEqual(mentions("explain @selection using @src/app.ts and @problems"), [
    { kind: "selection" },
    { kind: "file", path: "src/app.ts" },
    { kind: "problems" },
  ]);
  assert.deepEqual(mentions("@terminal @workspace"), [{ kind: "terminal" }, { kind: "workspace" }]);
  assert.deepEqual(mentions("list @workspace:py-api."), [{ kind: "workspace", name: "py-api" }]);
});

test("quoted paths may contain spaces, quotes and backslashes (escaped)", () => {
  assert.deepEqual(mentions('what is in @"docs/secret notes.txt"?'), [{ kind: "file", path: "docs/secret notes.txt" }]);
  assert.deepEqual(mentions('@"a \\"quoted\\" name.md"'), [{ kind: "file", path: 'a "quoted" name.md' }]);
  assert.deepEqual(
    mentions('@"dir\\\\file.txt"'),
    [{ kind: "file", path: "dir/file.txt" }],
    "an escaped backslash is a separator, normalised",
  );
});

test("offsets cover the whole token", () => {
  const text = 'see @"my file.ts" now';
  const [p] = parseMentions(text);
  assert.equal(text.slice(p!.start, p!.end), '@"my file.ts"');
});

test("sentence punctuation after a path is not part of it", () => {
  assert.deepEqual(mentions("look at @src/a.ts, then @b.py."), [
    { kind: "file", path: "src/a.ts" },
    { kind: "file", path: "b.py" },
  ]);
  assert.deepEqual(mentions("(see @README.md)"), [{ kind: "file", path: "README.md" }]);
});

test("e-mail addresses, decorators and bare @ are not mentions", () => {
  assert.deepEqual(mentions("mail me at dev@example.com"), []);
  assert.deepEqual(mentions("a lone @ sign"), []);
  assert.deepEqual(mentions('unterminated @"quote here'), []);
  assert.deepEqual(mentions('empty @"" quote'), []);
});

test("./ prefixes and backslashes are normalised", () => {
  assert.deepEqual(mentions("@./src\\win\\path.ts"), [{ kind: "file", path: "src/win/path.ts" }]);
});

test("formatMention quotes only when needed and round-trips through the parser", () => {
  const cases: Mention[] = [
    { kind: "file", path: "src/app.ts" },
    { kind: "file", path: "my dir/a b.txt" },
    { kind: "file", path: 'we"ird.txt' },
    { kind: "selection" },
    { kind: "workspace" },
    { kind: "workspace", name: "py-api" },
  ];
  for (const m of cases) {
    const text = `x ${formatMention(m)} y`;
    assert.deepEqual(mentions(text), [m], text);
  }
  assert.equal(formatMention({ kind: "file", path: "my dir/a b.txt" }), '@"my dir/a b.txt"');
  assert.equal(formatMention({ kind: "file", path: "src/app.ts" }), "@src/app.ts");
});

test("uniqueMentions keeps the first of each", () => {
  assert.deepEqual(
    uniqueMentions([
      { kind: "selection" },
      { kind: "file", path: "a" },
      { kind: "selection" },
      { kind: "file", path: "a" },
    ]),
    [{ kind: "selection" }, { kind: "file", path: "a" }],
  );
});

test("the picker opens on the @ being typed before the caret", () => {
  assert.deepEqual(activeMentionQuery("hello @src/ap", 13), { start: 6, query: "src/ap" });
  assert.deepEqual(activeMentionQuery("@", 1), { start: 0, query: "" });
  assert.deepEqual(activeMentionQuery('see @"my fi', 11), { start: 4, query: "my fi" });
  assert.equal(activeMentionQuery("dev@example", 11), undefined, "not inside a word");
  assert.equal(activeMentionQuery("@src/app.ts done", 16), undefined, "a space ends an unquoted query");
  assert.equal(activeMentionQuery('@"closed name" ', 15), undefined);
});

test("@codebase is a keyword, also at the end of a sentence; @codebase.ts stays a file", () => {
  assert.deepEqual(mentions("where do we retry payments? @codebase"), [{ kind: "codebase" }]);
  assert.deepEqual(mentions("@codebase, where is the login?"), [{ kind: "codebase" }]);
  assert.deepEqual(mentions("@codebase.ts"), [{ kind: "file", path: "codebase.ts" }]);
  assert.equal(formatMention({ kind: "codebase" }), "@codebase");
});
