/** The import boundaries in eslint.config.mjs, checked on source text the way `npm run lint` checks the tree. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { ESLint } from "eslint";

const ROOT = resolve(__dirname, "../../..");

// The boundary rule needs no type information; the type-aware rule would need the file on disk.
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: { "@typescript-eslint/no-floating-promises": "off" },
  },
});

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result, "one result per text");
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], "the text parses");
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

test("an extension file importing a server feature folder fails lint; the contract in server/api passes", async () => {
  assert.equal(
    (
      await boundaryErrors(
        "extension/completion/x.ts",
        'import { x } from "../../server/completion/engine";\nexport const y = x;\n',
      )
    ).length,
    1,
  );
  assert.equal(
    (
      await boundaryErrors(
        "extension/completion/x.ts",
        'import type { X } from "../../server/completion/engine";\nexport type Y = X;\n',
      )
    ).length,
    1,
  );
  assert.equal((await boundaryErrors("extension/x.ts", 'export { redact } from "../server/log";\n')).length, 1);
  assert.deepEqual(
    await boundaryErrors(
      "extension/completion/x.ts",
      'import type { CompletionRequest } from "../../server/api/completion";\nexport type Y = CompletionRequest;\n',
    ),
    [],
  );
  assert.deepEqual(
    await boundaryErrors(
      "extension/completion/x.ts",
      'import { isSecretPath } from "../../common/secrets";\nexport const y = isSecretPath;\n',
    ),
    [],
  );
});

test("the webview may import server/api and common, nothing else under server/", async () => {
  assert.equal(
    (await boundaryErrors("webview-ui/x.ts", 'import { x } from "../server/chat/session";\nexport const y = x;\n'))
      .length,
    1,
  );
  assert.deepEqual(
    await boundaryErrors(
      "webview-ui/x.ts",
      'import type { ChatEvent } from "../server/api/chat";\nexport type Y = ChatEvent;\n',
    ),
    [],
  );
});

test("common/ stays pure: no vscode, no server, extension or webview code, no transport", async () => {
  for (const spec of ["vscode", "../server/api/chat", "../extension/settings", "../webview-ui/dom", "node:http"]) {
    assert.equal(
      (await boundaryErrors("common/x.ts", `import * as m from "${spec}";\nexport const y = m;\n`)).length,
      1,
      spec,
    );
  }
});

test("the server never imports vscode or the extension, and domain code never imports server/http", async () => {
  assert.equal(
    (await boundaryErrors("server/completion/x.ts", 'import * as vscode from "vscode";\nexport const y = vscode;\n'))
      .length,
    1,
  );
  assert.equal(
    (
      await boundaryErrors(
        "server/completion/x.ts",
        'import { x } from "../../extension/settings";\nexport const y = x;\n',
      )
    ).length,
    1,
  );
  assert.equal(
    (
      await boundaryErrors(
        "server/completion/x.ts",
        'import { statusFor } from "../http/errors";\nexport const y = statusFor;\n',
      )
    ).length,
    1,
  );
  assert.equal(
    (
      await boundaryErrors(
        "server/shell/rules/x.ts",
        'import { statusFor } from "../../http/errors";\nexport const y = statusFor;\n',
      )
    ).length,
    1,
  );
  assert.equal(
    (
      await boundaryErrors(
        "server/context.ts",
        'import { statusFor } from "./http/errors";\nexport const y = statusFor;\n',
      )
    ).length,
    1,
  );
  assert.deepEqual(
    await boundaryErrors(
      "server/completion/x.ts",
      'import { AppError } from "../errors";\nexport const y = AppError;\n',
    ),
    [],
  );
  // The HTTP layer itself and the entry point wire the transport.
  assert.deepEqual(
    await boundaryErrors(
      "server/http/routes/x.ts",
      'import { statusFor } from "../errors";\nexport const y = statusFor;\n',
    ),
    [],
  );
  assert.deepEqual(
    await boundaryErrors("server/main.ts", 'import { x } from "./http/app";\nexport const y = x;\n'),
    [],
  );
});
