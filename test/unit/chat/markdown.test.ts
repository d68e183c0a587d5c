/** Markdown rendering of model output (webview-ui/markdown.ts): escaping, links, code blocks. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFenceInfo, renderMarkdown } from "../../../webview-ui/markdown";

test("raw HTML in an answer is shown as text, never as markup", () => {
  const { html } = renderMarkdown(
    'Hi <img src=x onerror="alert(1)"> and <script>alert(2)</script>\n\n<div onclick="x()">block</div>',
  );
  assert.ok(!/<img|<script|<div onclick/i.test(html), html);
  assert.match(html, /&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;/);
  assert.match(html, /&lt;script&gt;/);
});

test("links go through data-href (http/https only); other schemes are plain text; images are alt text", () => {
  const { html } = renderMarkdown(
    "[docs](https://example.com/a?b=1) [bad](javascript:alert(1)) ![logo](https://x/y.png)",
  );
  assert.match(html, /<a href="#" data-href="https:\/\/example.com\/a\?b=1"/);
  assert.ok(!html.includes("javascript:"), html);
  assert.ok(!/<img/.test(html));
  assert.match(html, /logo/);
});

test("code blocks: highlighted, buttons, language and path from the fence", () => {
  const { html, blocks } = renderMarkdown(
    "Try:\n\n```ts src/my app.ts\nconst a: number = 1;\n```\n\n```sh\nnpm test\n```\n",
  );
  assert.deepEqual(blocks, [
    { code: "const a: number = 1;", language: "ts", path: "src/my app.ts", isShell: false },
    { code: "npm test", language: "sh", isShell: true },
  ]);
  assert.match(html, /<span class="hljs-keyword">const<\/span>/);
  assert.equal((html.match(/data-action="run"/g) ?? []).length, 1, "Run only for the shell block");
  assert.equal((html.match(/data-action="apply"/g) ?? []).length, 1, "Apply only for the code block");
  assert.match(html, /ts · src\/my app.ts/);
});

test("code in an unknown language is escaped", () => {
  const { html } = renderMarkdown("```weird\n<b>not bold</b>\n```");
  assert.match(html, /&lt;b&gt;not bold&lt;\/b&gt;/);
});

test("an unterminated fence while streaming still renders as code", () => {
  const { blocks } = renderMarkdown("Here:\n```python\ndef f():\n    return 1");
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0]!.language, "python");
});

test("fence info parsing", () => {
  assert.deepEqual(parseFenceInfo("ts"), { language: "ts" });
  assert.deepEqual(parseFenceInfo("TypeScript src/a.ts"), { language: "typescript", path: "src/a.ts" });
  assert.deepEqual(parseFenceInfo('js title="lib/x.js"'), { language: "js", path: "lib/x.js" });
  assert.deepEqual(parseFenceInfo("js {1,3}"), { language: "js" });
  assert.deepEqual(parseFenceInfo(undefined), { language: "" });
});
