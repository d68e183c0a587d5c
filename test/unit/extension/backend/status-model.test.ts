import { test } from "node:test";
import assert from "node:assert/strict";
import type { ErrorCode } from "../../../../server/api/errors";
import type { ReadyResponse } from "../../../../server/api/health";
import { classifyReady, describeError, statusView } from "../../../../extension/backend/status-model";

const providerError = (code: ErrorCode, message: string, hint?: string) =>
  statusView({
    kind: "ready",
    check: { kind: "error", error: { code, message, ...(hint !== undefined ? { hint } : {}) } },
  });

// Every provider error class: status text, click target, tooltip with the reason, notification.
const CASES: Array<{ code: ErrorCode; text: string; command: string; args?: string[]; icon: string }> = [
  {
    code: "PROVIDER_AUTH_FAILED",
    text: "AiCockpit: API key rejected",
    command: "aicockpit.setApiKey",
    icon: "$(error)",
  },
  {
    code: "PROVIDER_MODEL_NOT_FOUND",
    text: "AiCockpit: model not found",
    command: "aicockpit.selectModel",
    icon: "$(error)",
  },
  {
    code: "PROVIDER_UNREACHABLE",
    text: "AiCockpit: AI service unreachable",
    command: "workbench.action.openSettings",
    args: ["aicockpit.provider.baseUrl"],
    icon: "$(error)",
  },
  {
    code: "PROVIDER_RATE_LIMITED",
    text: "AiCockpit: rate limited",
    command: "aicockpit.testConnection",
    icon: "$(warning)",
  },
  {
    code: "PROVIDER_TIMEOUT",
    text: "AiCockpit: AI service timed out",
    command: "workbench.action.openSettings",
    args: ["aicockpit.provider.requestTimeoutMs"],
    icon: "$(warning)",
  },
  {
    code: "PROVIDER_BAD_RESPONSE",
    text: "AiCockpit: AI service error",
    command: "aicockpit.showLogs",
    icon: "$(error)",
  },
];

for (const c of CASES) {
  test(`${c.code} reaches the status bar and a notification with its fix`, () => {
    const v = providerError(c.code, `reason for ${c.code}`, "what to do");
    assert.equal(v.key, `provider:${c.code}`);
    assert.equal(v.text, `${c.icon} ${c.text}`);
    assert.equal(v.command.id, c.command);
    assert.deepEqual(v.command.args, c.args);
    assert.match(v.tooltip, new RegExp(`reason for ${c.code}\\nwhat to do\\nClick: ${v.command.title}\\.`));
    assert.match(v.tooltip, /^No AI service reachable: /);
    assert.equal(v.notification, `${c.text}. reason for ${c.code} what to do`);
    assert.equal(v.severity, c.icon === "$(warning)" ? "warning" : "error");

    const d = describeError({ code: c.code, message: "m" });
    assert.equal(d.message, `${c.text}. m`);
    assert.deepEqual(d.fix, v.command);
  });
}

test("backend lifecycle states", () => {
  const starting = statusView({ kind: "starting" });
  assert.equal(starting.text, "$(sync~spin) AiCockpit: starting");
  assert.equal(starting.notification, undefined);

  const crashed = statusView({ kind: "restarting", delayMs: 4_000, reason: "backend was killed by SIGKILL" });
  assert.equal(crashed.key, "crashed");
  assert.equal(crashed.text, "$(error) AiCockpit: backend crashed, restarting in 4s");
  assert.match(crashed.tooltip, /killed by SIGKILL/);
  assert.equal(crashed.command.id, "aicockpit.showLogs");
  assert.equal(crashed.notification, "AiCockpit backend crashed (backend was killed by SIGKILL); restarting…");
  assert.equal(
    statusView({ kind: "restarting", delayMs: 150, reason: "x" }).text,
    "$(error) AiCockpit: backend crashed, restarting in 1s",
  );
  assert.equal(
    statusView({ kind: "restarting", delayMs: 1_000, reason: "backend stopped answering (2 health checks timed out)" })
      .notification,
    "AiCockpit backend stopped answering (2 health checks timed out) — restarting it…",
  );

  const failed = statusView({ kind: "failed", reason: "AICOCKPIT_LLM_KIND must be one of …" });
  assert.equal(failed.text, "$(error) AiCockpit: backend failed");
  assert.equal(failed.command.id, "aicockpit.restartBackend");
  assert.match(failed.notification ?? "", /cannot start: AICOCKPIT_LLM_KIND must be one of/);

  assert.equal(statusView({ kind: "stopped" }).command.id, "aicockpit.restartBackend");
});

test("ready states: checking, ready with the model, status unknown", () => {
  assert.equal(statusView({ kind: "ready", check: { kind: "pending" } }).key, "checking");
  const ok = statusView({ kind: "ready", check: { kind: "ok", model: "gpt-4o-mini" } });
  assert.equal(ok.text, "$(check) AiCockpit: gpt-4o-mini");
  assert.equal(ok.severity, "ok");
  assert.equal(ok.command.id, "aicockpit.selectModel");
  assert.equal(ok.notification, undefined);
  const unknown = statusView({
    kind: "ready",
    check: { kind: "check-failed", message: "Cannot reach the AiCockpit backend." },
  });
  assert.equal(unknown.text, "$(warning) AiCockpit: status unknown");
  assert.match(unknown.tooltip, /Cannot reach/);
  assert.equal(unknown.notification, undefined, "a failed status poll is not worth a toast");
});

const ready = (provider: Partial<ReadyResponse["provider"]>): ReadyResponse => ({
  ready: false,
  provider: { ok: false, reason: "r", id: "default", model: "m", ...provider },
  docker: { ok: false, reason: "no docker" },
});

test("classifyReady: uses the code when present, infers NO_PROVIDER, ignores docker", () => {
  assert.deepEqual(classifyReady(ready({ ok: true, model: "llama3" })), { kind: "ok", model: "llama3" });
  assert.deepEqual(classifyReady(ready({ code: "PROVIDER_AUTH_FAILED", reason: "401 from service" })), {
    kind: "error",
    error: { code: "PROVIDER_AUTH_FAILED", message: "401 from service" },
  });
  const none = classifyReady(ready({ id: null, model: null, reason: "no provider" }));
  assert.deepEqual(none, { kind: "error", error: { code: "NO_PROVIDER", message: "no provider" } });
  const uncoded = classifyReady(ready({ reason: "weird" }));
  assert.deepEqual(uncoded, { kind: "error", error: { code: "PROVIDER_ERROR", message: "weird" } });
});

test("a hint the message already carries is not repeated", () => {
  const error = {
    code: "PROVIDER_AUTH_FAILED" as const,
    message: "Key missing. Set a valid key.",
    hint: "Set a valid key.",
  };
  assert.equal(describeError(error).message, "AiCockpit: API key rejected. Key missing. Set a valid key.");
  const v = statusView({ kind: "ready", check: { kind: "error", error } });
  assert.equal(v.tooltip, "No AI service reachable: Key missing. Set a valid key.\nClick: Set API Key.");
});

test("describeError: backend transport failures point to the logs", () => {
  const d = describeError({
    code: "BACKEND_UNREACHABLE",
    message: "Cannot reach the AiCockpit backend (ECONNREFUSED).",
    hint: "Run restart.",
  });
  assert.equal(d.message, "AiCockpit backend: Cannot reach the AiCockpit backend (ECONNREFUSED). Run restart.");
  assert.equal(d.fix.id, "aicockpit.showLogs");
  assert.equal(describeError({ code: "INTERNAL", message: "boom" }).message, "AiCockpit: boom");
});

test("no model set up yet: a neutral invitation, no toast; other calls offer the setup as the fix", () => {
  const v = providerError("NO_PROVIDER", 'No model is set (setting "aicockpit.provider.model").');
  assert.equal(v.key, "setup");
  assert.equal(v.text, "$(sparkle) AiCockpit: set up a model");
  assert.equal(v.severity, "idle");
  assert.equal(v.notification, undefined);
  assert.equal(v.command.id, "aicockpit.setup");
  assert.match(v.tooltip, /No model is set/);
  assert.match(v.tooltip, /a model server running on this machine, the built-in model, or an AI service/);
  // Ctrl+K or chat without a model: the error notification's button is the same setup.
  const d = describeError({ code: "NO_PROVIDER", message: "No AI provider is configured." });
  assert.equal(d.message, "AiCockpit: no model set up yet. No AI provider is configured.");
  assert.equal(d.fix.id, "aicockpit.setup");
});

test("the built-in model: '<model> (local)', loading and download progress, not downloaded, failed", () => {
  const local = (l: Parameters<typeof statusView>[0] extends infer I ? I : never) => statusView(l);
  const view = (
    state: "not-downloaded" | "downloading" | "loading" | "loaded" | "unloaded-idle" | "failed",
    extra = {},
  ) => local({ kind: "ready", check: { kind: "local", local: { state, name: "qwen2.5-coder-0.5b", ...extra } } });
  const ready = view("loaded");
  assert.equal(ready.text, "$(check) AiCockpit: qwen2.5-coder-0.5b (local)");
  assert.equal(ready.key, "ready");
  assert.equal(ready.command.id, "aicockpit.selectModel");
  assert.equal(view("unloaded-idle").text, "$(check) AiCockpit: qwen2.5-coder-0.5b (local)");
  assert.match(view("unloaded-idle").tooltip, /it loads on the next request/);
  assert.equal(view("loading").text, "$(sync~spin) AiCockpit: loading qwen2.5-coder-0.5b (local)");
  assert.equal(view("loading").severity, "busy");
  const dl = view("downloading", { download: { received: 250 * 1024 * 1024, total: 500 * 1024 * 1024 } });
  assert.equal(dl.text, "$(cloud-download) AiCockpit: downloading qwen2.5-coder-0.5b 50%");
  assert.match(dl.tooltip, /250 MB of 500 MB/);
  const nd = view("not-downloaded");
  assert.equal(nd.severity, "idle");
  assert.equal(nd.notification, undefined);
  assert.equal(nd.command.id, "aicockpit.setup.localModel");
  const failed = view("failed", {
    error: { code: "LOCAL_MODEL_LOAD_FAILED", message: "model.gguf is not a GGUF file.", hint: "Choose another file." },
  });
  assert.equal(failed.text, "$(error) AiCockpit: local model failed to load");
  assert.equal(failed.severity, "error");
  assert.match(failed.tooltip, /not a GGUF file\.\nChoose another file\./);
  assert.equal(
    failed.notification,
    "AiCockpit: local model failed to load. model.gguf is not a GGUF file. Choose another file.",
  );
  const unavailable = view("failed", { error: { code: "LOCAL_MODEL_UNAVAILABLE", message: "no native binary" } });
  assert.equal(unavailable.command.id, "aicockpit.setup", "where the built-in model cannot run, offer the other ways");
});
