/**
 * Entry point. Activation only wires things up; the backend is spawned right after
 * activate() returns, so VS Code's startup never waits on it.
 */
import { bundleEvalStart, bundleEvalStartCpu, cpuSince, round, since } from "./startup-clock";
import * as vscode from "vscode";
import { BackendClient } from "./backend/client";
import { backendEnv } from "./backend/backend-env";
import { COMMANDS } from "./commands/ids";
import { BackendSupervisor } from "./backend/supervisor";
import { selectModel } from "./commands/select-model";
import { setApiKey } from "./commands/set-api-key";
import { testConnection } from "./commands/test-connection";
import { e2eReport } from "./e2e-report";
import { createLogger } from "./log/output";
import { Redactor } from "../common/redact";
import { ApiKeyStore, HostSecretStore, TicketSecretStore } from "./secrets";
import { readSettings, SECTION, updateSettings } from "./settings";
import { StatusBar } from "./status/status-bar";
import { registerChatFeature } from "./chat/feature";
import { registerCodebaseFeature } from "./codebase/feature";
import { registerWorkspacesFeature } from "./workspaces/feature";
import { registerRemoteFeature } from "./remote/feature";
import { registerCompletionFeature } from "./completion/feature";
import { registerSetupFeature } from "./setup/feature";
import { lazyFeature } from "./lazy-feature";
import { registerTasksFeature } from "./tasks/feature";
import { registerTicketsFeature } from "./tickets/feature";

/** Every import above is evaluated by now: bundleEvalStart → here is the bundle's own evaluation. */
const bundleEvalEnd = performance.now();
const bundleEvalCpuMs = cpuSince(bundleEvalStartCpu);

/** Settings edits arrive as bursts (one event per key written); restart once per burst. */
const RESTART_DEBOUNCE_MS = 500;
const BACKEND_SETTINGS = [
  "provider",
  "local",
  "network",
  "logLevel",
  "workspaces.allowHostNetwork",
  "tickets.allowLocalRepositories",
];

let supervisor: BackendSupervisor | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const activateStart = performance.now();
  const activateStartCpu = process.cpuUsage();
  const evalMs = bundleEvalEnd - bundleEvalStart;
  const contextWaitMs = activateStart - bundleEvalEnd;
  const steps: Record<string, number> = {};
  let stepStart = process.cpuUsage();
  const step = (name: string) => {
    steps[`${name}CpuMs`] = cpuSince(stepStart);
    stepStart = process.cpuUsage();
  };
  const redactor = new Redactor();
  const logger = createLogger(redactor);
  const keys = new ApiKeyStore(context.secrets);
  let configProblems: string[] = [];
  // The stored key was entered for another base URL: the backend starts without it; ask once per address.
  let askedFor: string | undefined;
  const askKeyAgain = (baseUrl: string) => {
    logger.warn("the AI service address changed; its API key was not passed on");
    if (askedFor === baseUrl) return;
    askedFor = baseUrl;
    void vscode.window
      .showWarningMessage(
        `AiCockpit: the AI service address changed to ${baseUrl || "the default"}. Enter the API key for it again (the old key is not sent to a new address).`,
        "Set API Key",
      )
      .then((pick) => pick && vscode.commands.executeCommand(COMMANDS.setApiKey));
  };

  const sup = new BackendSupervisor({
    command: process.execPath,
    args: [context.asAbsolutePath("dist/server.js")],
    cwd: context.extensionPath,
    logger,
    env: async () => {
      const settings = readSettings();
      const { key: apiKey, withheld } = await keys.forAddress(settings.kind, settings.baseUrl.trim());
      if (withheld) askKeyAgain(settings.baseUrl.trim());
      redactor.add(apiKey);
      const { env, problems } = backendEnv(settings, apiKey, context.globalStorageUri.fsPath, process.env);
      configProblems = problems;
      if (problems.length > 0) logger.warn(`no AI provider passed to the backend: ${problems.join(" ")}`);
      return env;
    },
  });
  supervisor = sup;

  let lastToken: string | undefined;
  const supEvents = sup.onEvent((e) => {
    switch (e.type) {
      case "spawned":
        e2eReport("backend-spawned", { pid: e.pid });
        break;
      case "ready":
        redactor.remove(lastToken);
        lastToken = e.connection.token;
        redactor.add(lastToken);
        e2eReport("backend-ready", { port: e.connection.port, pid: e.connection.pid });
        break;
      case "exited":
        e2eReport("backend-exited", { pid: e.pid, code: e.code, signal: e.signal });
        break;
      default:
        break;
    }
  });

  const client = new BackendClient(() => sup.current());
  // Setup writes several settings at once (kind, base URL, model): one restart for all of them,
  // never one per key (a half-written provider would start the backend with a wrong one).
  let held = 0;
  let heldWhy: string | undefined;
  const applySettings = async (values: Record<string, unknown>) => {
    held++;
    try {
      await updateSettings(values);
    } finally {
      held--;
      if (held === 0 && heldWhy !== undefined) {
        const why = heldWhy;
        heldWhy = undefined;
        restartSoon(why);
      }
    }
  };
  const setupDeps = { client, keys, log: (m: string) => logger.info(m), applySettings };
  const setup = registerSetupFeature(context, setupDeps);
  const status = new StatusBar({
    supervisor: sup,
    client,
    logger,
    configProblems: () => configProblems,
    isLocal: () => readSettings().kind === "local",
    onView: (v) => setup.onStatus(v),
  });

  const restart = (why: string) => {
    if (supervisor !== sup) return; // deactivated meanwhile
    logger.info(`restarting the backend: ${why}`);
    sup.restart().catch((err: unknown) => logger.error(`restart failed: ${String(err)}`));
  };
  // Why restart rather than PATCH /api/providers/default: the spawn env is the one source of
  // truth, so a backend restarted after a crash always matches a reconfigured one; proxy, CA
  // file and log level can only be applied at startup anyway; and there is no second code path
  // for "the default provider did not exist yet" (POST vs PATCH). The cost — in-flight requests
  // are cut — is acceptable for something the user just changed on purpose.
  let restartTimer: NodeJS.Timeout | undefined;
  const restartSoon = (why: string) => {
    if (held > 0) {
      heldWhy = why;
      return;
    }
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => restart(why), RESTART_DEBOUNCE_MS);
  };

  context.subscriptions.push(
    logger.channel,
    status,
    { dispose: () => supEvents.dispose() },
    { dispose: () => clearTimeout(restartTimer) },
    vscode.commands.registerCommand(COMMANDS.setApiKey, () => setApiKey(keys)),
    vscode.commands.registerCommand(COMMANDS.selectModel, () => selectModel(setupDeps)),
    vscode.commands.registerCommand(COMMANDS.testConnection, async () => {
      await testConnection(client);
      await status.refresh();
    }),
    vscode.commands.registerCommand(COMMANDS.showLogs, () => logger.channel.show()),
    vscode.commands.registerCommand(COMMANDS.restartBackend, () => restart("requested by the user")),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // Only settings the backend is spawned with; feature settings (edit, completion…) apply live.
      if (BACKEND_SETTINGS.some((s) => e.affectsConfiguration(`${SECTION}.${s}`))) restartSoon("settings changed");
    }),
    keys.onDidChange(() => restartSoon("API key changed")),
  );

  step("core");
  const log = (m: string) => logger.info(m);
  // Indexes only once the backend is ready (never during activation); chat and Ctrl+K use it for @codebase.
  const codebase = registerCodebaseFeature(context, client, log, (f) =>
    sup.onEvent((e) => {
      if (e.type === "ready") f();
    }),
  );
  step("codebase");
  // Features that only act through their commands load on first use (lazy-feature.ts; CONTRIBUTING.md).
  lazyFeature(
    context,
    "aicockpit.edit.",
    () => import("./edit/feature.js"),
    (m) => m.registerEditFeature(context, client, log, codebase),
    log,
  );
  step("edit");
  registerChatFeature(context, client, (m) => logger.info(m), codebase);
  step("chat");
  lazyFeature(
    context,
    "aicockpit.terminal.",
    () => import("./shell/feature.js"),
    (m) => m.registerTerminalFeature(context, client, log),
    log,
  );
  step("terminal");
  registerCompletionFeature(context, client, (m) => logger.info(m));
  step("completion");
  const hostSecrets = new HostSecretStore(context.secrets);
  const workspaces = registerWorkspacesFeature(
    context,
    client,
    () => sup.current(),
    (m) => logger.info(m),
    hostSecrets,
  );
  step("workspaces");
  const remote = registerRemoteFeature(
    context,
    client,
    hostSecrets,
    (m) => logger.info(m),
    () => sup.current(),
  );
  step("remote");
  const tasks = registerTasksFeature(context, client, (m) => logger.info(m), hostSecrets);
  step("tasks");
  const tickets = registerTicketsFeature(context, client, new TicketSecretStore(context.secrets), (m) =>
    logger.info(m),
  );
  step("tickets");
  // The trees' first listing may run before the backend is up; list again once it is.
  context.subscriptions.push(
    sup.onEvent((e) => {
      if (e.type !== "ready") return;
      workspaces.refresh();
      remote.refresh();
      tasks.refresh();
      tickets.refresh();
    }),
  );
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? "dev");
  logger.info(`AiCockpit ${version} activated`);
  e2eReport("activated", {
    version,
    evalMs: round(evalMs),
    evalCpuMs: bundleEvalCpuMs,
    contextWaitMs: round(contextWaitMs),
    activateMs: since(activateStart),
    activateCpuMs: cpuSince(activateStartCpu),
    ...steps,
  });
  setImmediate(() => {
    sup.start().catch((err: unknown) => logger.error(`could not start the backend: ${String(err)}`));
  });
}

/** VS Code waits for this promise (a few seconds at most): SIGTERM, then SIGKILL after the grace period. */
export async function deactivate(): Promise<void> {
  const sup = supervisor;
  supervisor = undefined;
  await sup?.stop();
}
