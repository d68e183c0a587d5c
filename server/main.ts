/**
 * `node dist/server.js`: the AiCockpit backend. Standalone or spawned by the extension.
 * stdout carries exactly one line, `AICOCKPIT_READY {"port":N}`; logs go to stderr.
 */
import type { AddressInfo } from "node:net";
import { mkdirSync } from "node:fs";
import { ConfigError, loadConfig } from "./config/env";
import { createMetrics } from "./metrics";
import { createApp } from "./http/app";
import { createHttpServer } from "./http/front";
import { createLlmService } from "./llm/service";
import { log, registerSecret, setLogLevel } from "./log";
import { READY_LINE_PREFIX, type ReadyLine } from "./api/routes";
import type { AppContext } from "./context";
import type { WorkspaceService } from "./workspaces/service";
import type { Hosts } from "./hosts/service";
import { registerWorkspaceGauge } from "./workspaces/metrics";
import { createTaskMetrics } from "./tasks/metrics";
import { attachOnFirstUpgrade } from "./http/lazy";
import { createCodebaseMetrics } from "./codebase/service-metrics";
import type { CodebaseService } from "./codebase/service";
import { CpuWorker, serveIfCpuWorker } from "./cpu-worker";
import type { ConfirmTokens } from "./gateway";

/** package.json's version, defined by esbuild.config.mjs; absent when run from source (tsx). */
declare const __AICOCKPIT_VERSION__: string | undefined;

function main(): void {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`aicockpit backend: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  setLogLevel(config.logLevel);
  registerSecret(config.token);
  registerSecret(config.defaultProvider?.apiKey);
  mkdirSync(config.dataDir, { recursive: true });

  let boundPort = 0;
  const metrics = createMetrics();
  let llm;
  try {
    llm = createLlmService(config, metrics);
  } catch (err) {
    // e.g. an unreadable AICOCKPIT_CA_FILE: refuse to start rather than fail every request.
    if (err instanceof ConfigError) {
      process.stderr.write(`aicockpit backend: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let workspaces: Promise<WorkspaceService> | undefined;
  let hosts: Promise<Hosts> | undefined;
  let gateway: ReturnType<AppContext["gateway"]> | undefined;
  let containers: ReturnType<AppContext["containers"]> | undefined;
  let tasks: ReturnType<AppContext["tasks"]> | undefined;
  let tickets: ReturnType<AppContext["tickets"]> | undefined;
  let tokens: Promise<ConfirmTokens> | undefined;
  // One set of confirm tokens for the gateway and the container routes, made when either first needs it.
  const confirmTokens = () =>
    (tokens ??= import("./gateway/confirm-token.js").then(
      (m) => new m.ConfirmTokens({ ttlMs: config.gateway.confirmTtlMs }),
    ));
  let codebase: ReturnType<AppContext["codebase"]> | undefined;
  let codebaseService: CodebaseService | undefined;
  // Registered now so /metrics shows the lines (zeros) before the first @codebase request.
  const codebaseMetrics = createCodebaseMetrics(metrics.registry, () => codebaseService?.views() ?? []);
  // The gauge reads the tasks only once the service exists (it loads right after the ready line).
  const taskMetrics = createTaskMetrics(metrics.registry, () => tasks?.then((t) => t.list()));
  const ctx: AppContext = {
    config,
    metrics,
    llm,
    port: () => boundPort,
    startedAt: Date.now(),
    version: typeof __AICOCKPIT_VERSION__ === "string" ? __AICOCKPIT_VERSION__ : "dev",
    // Loaded on first use: dockerode (and its gRPC stack) costs startup time the ready line should not wait for.
    probeDocker: async () => (await import("./workspaces/docker-probe.js")).probeDocker(),
    // This same bundle, started as a worker thread (see the bottom of this file).
    cpuWorker: new CpuWorker(__filename),
    hosts: () => (hosts ??= import("./hosts/service.js").then((m) => m.createHosts(config.dataDir))),
    workspaces: () =>
      (workspaces ??= Promise.all([ctx.hosts(), import("./workspaces/service.js")]).then(([h, m]) =>
        m.createWorkspaceService(h, { allowHostNetwork: config.allowHostNetwork }),
      )),
    gateway: () =>
      (gateway ??= Promise.all([ctx.hosts(), confirmTokens(), import("./gateway/index.js")]).then(
        ([hosts, tokens, m]) => m.createGateway({ config, metrics, llm, hosts, tokens }),
      )),
    // Same engines as the workspaces (local socket, remote over SSH dial-stdio); same confirm tokens as the gateway.
    containers: () =>
      (containers ??= Promise.all([import("./containers/service.js"), confirmTokens()]).then(
        ([m, tokens]) => new m.ContainerService(async (host) => (await ctx.workspaces()).engines.get(host), tokens),
      )),
    tasks: () =>
      (tasks ??= import("./tasks/service.js").then(
        (m) =>
          new m.TaskService({
            dataDir: config.dataDir,
            llm,
            hosts: ctx.hosts,
            workspaces: ctx.workspaces,
            metrics: taskMetrics,
            keep: config.tasksKeep,
          }),
      )),
    tickets: () =>
      (tickets ??= Promise.all([import("./tickets/service.js"), import("./tickets/agents.js")]).then(
        ([m, a]) =>
          new m.TicketService({
            dataDir: config.dataDir,
            ...config.tickets,
            llm,
            workspaces: ctx.workspaces,
            agents: a.createAgents({ llm, workspaces: ctx.workspaces, dataDir: config.dataDir }),
          }),
      )),
    // The engine (tree-sitter, BM25, PageRank) loads with the first @codebase request.
    codebase: () =>
      (codebase ??= Promise.all([
        import("./codebase/service.js"),
        import("./codebase/index.js"),
        import("./codebase/local-source.js"),
        import("./workspaces/codebase-source.js"),
        import("./codebase/host-source.js"),
      ]).then(([svc, engine, local, ws, host]) => {
        codebaseService = new svc.CodebaseService({
          createIndex: engine.createCodebaseIndex,
          localSource: local.createLocalFileSource,
          workspaceSource: ws.workspaceSourceFactory(ctx.workspaces),
          hostSource: host.hostSourceFactory(ctx.hosts),
          metrics: codebaseMetrics,
        });
        return codebaseService;
      })),
  };
  registerWorkspaceGauge(metrics.registry, ctx.workspaces);
  const app = createApp(ctx);
  const server = createHttpServer(ctx, app).listen(config.port, "127.0.0.1");
  attachOnFirstUpgrade(server, async () => {
    const [{ attachWebSockets }, { containerTtyRoute, ttyRoute }] = await Promise.all([
      import("./http/ws-upgrade.js"),
      import("./http/ws-tty.js"),
    ]);
    return (s) => attachWebSockets(s, ctx, [ttyRoute(ctx), containerTtyRoute(ctx)]);
  });
  server.on("listening", () => {
    boundPort = (server.address() as AddressInfo).port;
    const line: ReadyLine = { port: boundPort };
    process.stdout.write(`${READY_LINE_PREFIX}${JSON.stringify(line)}\n`);
    log.info(`listening on 127.0.0.1:${boundPort}`);
    // After the ready line, one module graph after another (each one's evaluation holds the event
    // loop, so a request arriving meanwhile waits for one at most): first the network stack the
    // first AI request needs, then tasks and ticket runs left running by a previous backend are
    // marked `interrupted` (right after start, not when someone asks; their code pulls in the
    // host layer, ssh2, which the spawn → ready time should not wait for).
    const failed = (what: string) => (err: unknown) =>
      log.error(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    setImmediate(() => {
      void llm
        .warm()
        .catch(() => undefined)
        .then(() => ctx.tasks().catch(failed("tasks")))
        .then(() => ctx.tickets().catch(failed("tickets")));
    });
  });
  server.on("error", (err: NodeJS.ErrnoException) => {
    process.stderr.write(`aicockpit backend: cannot listen on 127.0.0.1:${config.port}: ${err.code ?? err.message}\n`);
    process.exit(3);
  });
  // Idle keep-alive sockets stay open longer than client pools keep them (undici/Node agents
  // and most HTTP clients use 4-60 s): a server that closes first races the client's next
  // request on that socket and resets it. headersTimeout must exceed keepAliveTimeout (Node's
  // rule) so a request arriving at the end of the idle window is not cut off. Shutdown closes
  // every connection itself, so long-lived sockets do not delay it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const shutdown = (signal: string) => {
    log.info(`${signal}: shutting down`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  // The extension host closes our stdin when it goes away without signalling us.
  if (process.env.AICOCKPIT_EXIT_ON_STDIN_CLOSE === "1") {
    process.stdin.on("end", () => shutdown("stdin closed"));
    process.stdin.resume();
  }
}

// The CPU worker (cpu-worker.ts) is this bundle in a worker thread: it serves jobs, nothing else.
if (!serveIfCpuWorker()) main();
