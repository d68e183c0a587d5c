// ESLint (flat config): typescript-eslint's recommended rules, two type-aware rules the house
// rules ask for (no floating promises, no `any`), and the import boundaries between the
// three bundles. The boundaries are the point; see CONTRIBUTING.md for why they exist.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

// Import specifiers are matched as written (relative paths), so each pattern allows any
// number of leading `../` and catches `../../server/completion/x` as well as `../server/x`.
const up = String.raw`^(?:\.\.?/)+`;

/** `no-restricted-imports` options from [regex, message] pairs. */
const restrict = (...rules) => [
  "error",
  {
    paths: rules.filter(([p]) => !p.startsWith("^")).map(([name, message]) => ({ name, message })),
    patterns: rules.filter(([p]) => p.startsWith("^")).map(([regex, message]) => ({ regex, message })),
  },
];

const NOT_SERVER_INTERNALS = [
  `${up}server(?:/(?!api(?:/|$)).*)?$`,
  "Outside server/, import only the contract in server/api/ (types and constants) or pure rules in common/.",
];

export default tseslint.config(
  {
    ignores: ["dist/**", "node_modules/**", ".test-artifacts/**", "test/unit/lint/fixtures/**", "**/*.js", "**/*.cjs"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      // tsc (noUnusedLocals, strict) already reports these; the linter would only repeat it.
      "no-undef": "off",
      // Matching control characters is the job of the input validators (gateway, shell risk,
      // terminal output); their tests fail on a wrong one, so the rule adds nothing but noise.
      "no-control-regex": "off",
      // `let x; subscribe(() => x); x = start()`: the callback is set up before the value exists.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // One type-aware rule: a promise nobody awaits loses its error. Limited to this rule so
    // `npm run lint` stays fast on a small machine.
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        // node:test collects test()/describe() itself; their promises are not for the caller.
        {
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["test", "describe", "it", "suite"] },
          ],
        },
      ],
    },
  },
  {
    files: ["webview-ui/**/*.ts"],
    languageOptions: { globals: { ...globals.browser } },
  },
  // ---- import boundaries
  {
    files: ["extension/**/*.ts", "webview-ui/**/*.ts"],
    rules: { "no-restricted-imports": restrict(NOT_SERVER_INTERNALS) },
  },
  {
    files: ["common/**/*.ts"],
    rules: {
      "no-restricted-imports": restrict(
        ["vscode", "common/ is pure: no VS Code."],
        ["node:http", "common/ is pure: no transport."],
        ["node:https", "common/ is pure: no transport."],
        ["node:net", "common/ is pure: no transport."],
        [
          `${up}(?:server|extension|webview-ui)(?:/.*)?$`,
          "common/ imports nothing from server/, extension/ or webview-ui/.",
        ],
      ),
    },
  },
  {
    files: ["server/**/*.ts"],
    ignores: ["server/http/**", "server/main.ts"],
    rules: {
      "no-restricted-imports": restrict(
        ["vscode", "The backend never imports vscode."],
        [`${up}extension(?:/.*)?$`, "The backend never imports the extension."],
        [
          `${up}http(?:/.*)?$`,
          "Domain code does not depend on the transport: throw AppError (server/errors.ts), let server/http/ map it.",
        ],
      ),
    },
  },
  {
    files: ["server/http/**/*.ts", "server/main.ts"],
    rules: {
      "no-restricted-imports": restrict(
        ["vscode", "The backend never imports vscode."],
        [`${up}extension(?:/.*)?$`, "The backend never imports the extension."],
      ),
    },
  },
);
