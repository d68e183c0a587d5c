/**
 * Test helpers: the real backend (the bundle, dist/server.js, as the extension runs it) driven
 * by the real supervisor, plus a logger that records what the supervisor says.
 *
 * The bundle, not server/main.ts through tsx: tsx compiles every TypeScript file the backend
 * loads, at each of the many starts these tests make (provider-errors restarts it 7 times), and
 * on a busy machine a start took longer than the ready timeouts. The bundle starts in a
 * fraction of that CPU and is what users run (its lazily loaded chunks included). It is built
 * once, before the file's first test, when older than its sources (test/integration/helpers/backend.ts).
 */
import { before } from "node:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  BackendSupervisor,
  type SupervisorEvent,
  type SupervisorLogger,
  type SupervisorOptions,
} from "../../../../extension/backend/supervisor";
import { SERVER_JS, ensureBuilt } from "../../../integration/helpers/backend";

export const REPO_ROOT = resolve(__dirname, "../../../..");

before(() => ensureBuilt());

export class RecordingLogger implements SupervisorLogger {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(`info ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn ${m}`);
  }
  error(m: string): void {
    this.lines.push(`error ${m}`);
  }
  backend(line: string): void {
    this.lines.push(`backend ${line}`);
  }
}

/** Environment for the real backend: no provider configured, a throwaway data dir. */
export function backendTestEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AICOCKPIT_")) env[k] = v;
  return {
    ...env,
    AICOCKPIT_DATA_DIR: mkdtempSync(join(tmpdir(), "aicockpit-sup-")),
    AICOCKPIT_LOG_LEVEL: "debug",
    ...extra,
  };
}

export function realBackend(overrides: Partial<SupervisorOptions> = {}): {
  sup: BackendSupervisor;
  logger: RecordingLogger;
  events: SupervisorEvent[];
} {
  const logger = new RecordingLogger();
  const sup = new BackendSupervisor({
    command: process.execPath,
    args: [SERVER_JS],
    cwd: REPO_ROOT,
    env: async () => backendTestEnv(),
    logger,
    // Generous: at load 30 on 2 cores a start was seen to take over 20 s (and one timed-out start
    // holds up every later restart of the same supervisor). Passing runs do not wait for it.
    readyTimeoutMs: 45_000,
    initialBackoffMs: 100,
    stopGraceMs: 3_000,
    ...overrides,
  });
  const events: SupervisorEvent[] = [];
  sup.onEvent((e) => events.push(e));
  return { sup, logger, events };
}

/** Resolves with the next event of the given type (after `from` events already seen). */
export function nextEvent<T extends SupervisorEvent["type"]>(
  sup: BackendSupervisor,
  type: T,
  timeoutMs = 60_000,
): Promise<Extract<SupervisorEvent, { type: T }>> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no "${type}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = sup.onEvent((e) => {
      if (e.type !== type) return;
      clearTimeout(timer);
      sub.dispose();
      resolvePromise(e as Extract<SupervisorEvent, { type: T }>);
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
