/**
 * The request validators (zod schemas of the routes, through parseBody) against arbitrary
 * input: whatever JSON arrives, they answer with a value or a BAD_REQUEST AppError (a 400),
 * never another exception (a 500). Valid bodies pass unchanged; an out-of-range or
 * wrongly-typed field is a BAD_REQUEST whose message names the field's path.
 *
 * The schemas are the contract's own (server/api/schemas/), the ones the routes use.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { z } from "zod";
import { parseBody } from "../../../server/validate";
import { AppError } from "../../../server/errors";
import { statusFor } from "../../../server/http/errors";
import { ChatRequestSchema } from "../../../server/api/schemas/chat";
import {
  CompletionRequestSchema,
  CompletionFeedbackSchema as FeedbackSchema,
} from "../../../server/api/schemas/completion";
import { DiffRequestSchema, EditRequestSchema } from "../../../server/api/schemas/edit";
import {
  ShellAssessRequestSchema as AssessSchema,
  ShellSuggestRequestSchema as SuggestSchema,
} from "../../../server/api/schemas/shell";
import {
  CreateWorkspaceRequestSchema as CreateSchema,
  FileDeleteRequestSchema as DeleteFileSchema,
  DeleteWorkspaceRequestSchema as DeleteSchema,
  ExecRequestSchema as ExecSchema,
  WorkspaceHostInputSchema as HostSchema,
  FilePathRequestSchema as PathSchema,
  ProbeHostKeyRequestSchema as ProbeSchema,
  FileRenameRequestSchema as RenameSchema,
  FileWriteRequestSchema as WriteSchema,
} from "../../../server/api/schemas/workspaces";

type AnySchema = z.ZodType<unknown>;

const SCHEMAS: Record<string, AnySchema> = {
  ChatRequestSchema,
  CompletionRequestSchema,
  FeedbackSchema,
  DiffRequestSchema,
  EditRequestSchema,
  AssessSchema,
  SuggestSchema,
  CreateSchema,
  DeleteSchema,
  ExecSchema,
  PathSchema,
  WriteSchema,
  DeleteFileSchema,
  RenameSchema,
  HostSchema,
  ProbeSchema,
};

/** The only acceptable outcomes: a value, or a BAD_REQUEST (status 400) with a message. */
function outcome(schema: AnySchema, body: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: parseBody(schema, body) };
  } catch (err) {
    assert.ok(err instanceof AppError, `not an AppError: ${String(err)}`);
    assert.equal(err.code, "BAD_REQUEST");
    assert.equal(statusFor(err.code), 400);
    assert.ok(err.message.startsWith("Invalid request body — "), err.message);
    return { ok: false, message: err.message };
  }
}

// JSON as it arrives from express.json(), including the keys that matter most to prototypes.
const hostileKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "valueOf", "");
const jsonArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.string(),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string(), hostileKey), tie("value"), { maxKeys: 5 }),
  ),
})).value;

test("arbitrary JSON never escapes the validators as anything but BAD_REQUEST", () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    fc.assert(
      fc.property(jsonArb, (body) => {
        outcome(schema, JSON.parse(JSON.stringify(body ?? null)) as unknown);
      }),
      { numRuns: 400, seed: 42 + name.length },
    );
  }
});

/** Objects shaped like each route's body (right keys, arbitrary values): reaches deeper checks than random JSON. */
test("right keys with arbitrary values: a value or a BAD_REQUEST naming a field", () => {
  const shapes: [string, AnySchema, string[]][] = [
    ["chat", ChatRequestSchema, ["messages", "context", "model", "contextBudgetTokens"]],
    [
      "completion",
      CompletionRequestSchema,
      ["filepath", "languageId", "prefix", "suffix", "snippets", "multiline", "timeoutMs", "ignorePatterns"],
    ],
    ["edit", EditRequestSchema, ["filepath", "languageId", "instruction", "code", "linePrefix", "previous"]],
    ["diff", DiffRequestSchema, ["code", "proposed"]],
    ["assess", AssessSchema, ["command", "shell"]],
    ["create", CreateSchema, ["name", "stack", "image", "limits", "ports", "env", "network"]],
    ["exec", ExecSchema, ["cmd", "cwd", "env", "timeoutMs", "stdin"]],
  ];
  for (const [name, schema, keys] of shapes) {
    fc.assert(
      fc.property(fc.record(Object.fromEntries(keys.map((k) => [k, jsonArb])), { requiredKeys: [] }), (body) => {
        const r = outcome(schema, body);
        // An object body: every problem is in some field, and the message says which.
        if (!r.ok) assert.match(r.message, /^Invalid request body — [\w.]+: /, `${name}: ${r.message}`);
      }),
      { numRuns: 300, seed: 7 },
    );
  }
});

const text = (max: number) => fc.string({ maxLength: max });
const nonBlank = (max: number) => fc.string({ minLength: 1, maxLength: max }).filter((s) => s.trim() !== "");

test("valid bodies pass and come back with the same values", () => {
  const valid: [string, AnySchema, fc.Arbitrary<Record<string, unknown>>][] = [
    ["diff", DiffRequestSchema, fc.record({ code: text(200), proposed: text(200) })],
    [
      "completion",
      CompletionRequestSchema,
      fc.record(
        {
          filepath: nonBlank(50),
          languageId: nonBlank(20),
          prefix: text(200),
          suffix: text(200),
          multiline: fc.constantFrom("auto", "always", "never"),
          timeoutMs: fc.integer({ min: 50, max: 30_000 }),
        },
        { requiredKeys: ["filepath", "languageId", "prefix", "suffix"] },
      ),
    ],
    [
      "chat",
      ChatRequestSchema,
      fc.record(
        {
          messages: fc
            .tuple(
              fc.array(fc.record({ role: fc.constantFrom("user" as const, "assistant" as const), content: text(50) }), {
                maxLength: 4,
              }),
              nonBlank(50),
            )
            .map(([h, q]) => [...h, { role: "user", content: q }]),
          contextBudgetTokens: fc.integer({ min: 100, max: 1_000_000 }),
        },
        { requiredKeys: ["messages"] },
      ),
    ],
    [
      "edit",
      EditRequestSchema,
      fc.record({ filepath: nonBlank(50), languageId: nonBlank(20), instruction: nonBlank(100), code: text(200) }),
    ],
    ["assess", AssessSchema, fc.record({ command: nonBlank(200) })],
    [
      "create",
      CreateSchema,
      fc.record(
        {
          name: fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,20}$/),
          stack: nonBlank(20),
          limits: fc.record({ memoryMb: fc.integer({ min: 64, max: 4096 }), pids: fc.integer({ min: 16, max: 4096 }) }),
          network: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/),
        },
        { requiredKeys: ["name", "stack"] },
      ),
    ],
    [
      "exec",
      ExecSchema,
      fc.record(
        { cmd: fc.array(text(20), { minLength: 1, maxLength: 5 }), timeoutMs: fc.integer({ min: 100, max: 60_000 }) },
        { requiredKeys: ["cmd"] },
      ),
    ],
    [
      "rename",
      RenameSchema,
      fc.record({ from: nonBlank(50), to: nonBlank(50), overwrite: fc.boolean() }, { requiredKeys: ["from", "to"] }),
    ],
  ];
  for (const [name, schema, arb] of valid) {
    fc.assert(
      fc.property(arb, (body) => {
        const r = outcome(schema, body);
        assert.ok(r.ok, `${name} refused a valid body: ${r.ok ? "" : r.message} ${JSON.stringify(body)}`);
        // (JSON round trip: generated objects may have a null prototype; `instruction` is trimmed on purpose.)
        const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
        for (const [k, v] of Object.entries(body))
          if (k !== "instruction")
            assert.deepEqual(plain((r.value as Record<string, unknown>)[k]), plain(v), `${name}.${k}`);
      }),
      { numRuns: 200, seed: 11 },
    );
  }
});

test("out-of-range or wrongly typed fields are BAD_REQUEST with the field's path", () => {
  const cases: [string, AnySchema, Record<string, unknown>, string, fc.Arbitrary<unknown>][] = [
    [
      "completion",
      CompletionRequestSchema,
      { filepath: "a", languageId: "ts", prefix: "", suffix: "" },
      "timeoutMs",
      fc.oneof(
        fc.integer({ max: 49 }),
        fc.integer({ min: 30_001 }),
        fc.double({ min: 50.1, max: 99.9, noNaN: true }),
        fc.string(),
      ),
    ],
    [
      "chat",
      ChatRequestSchema,
      { messages: [{ role: "user", content: "q" }] },
      "contextBudgetTokens",
      fc.oneof(fc.integer({ max: 99 }), fc.integer({ min: 1_000_001 }), fc.boolean()),
    ],
    [
      "exec",
      ExecSchema,
      { cmd: ["ls"] },
      "timeoutMs",
      fc.oneof(fc.integer({ max: 99 }), fc.constant(null), fc.string()),
    ],
    [
      "create limits",
      CreateSchema,
      { name: "w", stack: "node" },
      "limits.pids",
      fc.oneof(fc.integer({ max: 15 }), fc.double({ min: 16.1, max: 17.9, noNaN: true })),
    ],
    [
      "create ports",
      CreateSchema,
      { name: "w", stack: "node" },
      "ports.0.container",
      fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65_536 })),
    ],
    [
      "probe",
      ProbeSchema,
      { host: "example.org" },
      "port",
      fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65_536 }), fc.string()),
    ],
    [
      "diff",
      DiffRequestSchema,
      { code: "", proposed: "" },
      "code",
      fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string())),
    ],
    [
      "assess",
      AssessSchema,
      { command: "ls" },
      "shell",
      fc.string({ minLength: 1 }).filter((s) => !/^[\w .:/\\()-]*$/.test(s)),
    ],
  ];
  const setPath = (base: Record<string, unknown>, path: string, v: unknown) => {
    const [head, ...rest] = path.split(".");
    if (rest.length === 0) return { ...base, [head!]: v };
    if (rest.length === 1) return { ...base, [head!]: { [rest[0]!]: v } };
    return { ...base, [head!]: [{ container: 80, [rest[1]!]: v }] };
  };
  for (const [name, schema, base, path, bad] of cases) {
    assert.ok(outcome(schema, base).ok, `${name}: the base body is valid`);
    fc.assert(
      fc.property(bad, (v) => {
        const r = outcome(schema, setPath(base, path, v));
        assert.ok(!r.ok, `${name}: ${path}=${JSON.stringify(v)} was accepted`);
        assert.ok(r.message.includes(`— ${path}: `), `${name}: message does not name ${path}: ${r.message}`);
      }),
      { numRuns: 200, seed: 3 },
    );
  }
});

test("size caps name their limit (diff: 1,000,000 characters per side)", () => {
  const r = outcome(DiffRequestSchema, { code: "x".repeat(1_000_001), proposed: "" });
  assert.ok(!r.ok);
  assert.match(r.message, /— code: at most 1,000,000 characters/);
});
