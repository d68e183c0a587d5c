/**
 * Running the Gemini CLI inside the ticket's workspace container, where its shell commands
 * cannot reach this machine — the one place `yolo` is allowed (launch.ts#approvalModeFor).
 *
 * The container needs Node.js ≥ 20 (the CLI's own requirement); the pinned CLI package (its
 * self-contained `bundle/`, ~100 MB, no native modules needed headless) is copied in once per
 * container through Docker's archive API, so any image with node works, attached or created,
 * with no registry. The CLI's HOME (its sessions) lives in the container; its settings file
 * and, in tests, the scripted responses are written there before each turn.
 */
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { randomBytes } from "node:crypto";
import { pack } from "tar-stream";
import type { WorkspaceService } from "../../workspaces/service";
import { GEMINI_CLI_VERSION } from "./install";
import { SYSTEM_SETTINGS } from "./launch";

const BASE = "/opt/aicockpit";
export const CONTAINER_CLI_DIR = `${BASE}/gemini-cli-${GEMINI_CLI_VERSION}`;
export const CONTAINER_CLI_ENTRY = `${CONTAINER_CLI_DIR}/bundle/gemini.js`;
export const CONTAINER_HOME = `${BASE}/gemini-home`;
export const CONTAINER_SETTINGS = `${BASE}/gemini-system-settings.json`;
export const CONTAINER_FAKE_RESPONSES = `${BASE}/gemini-fake-responses.jsonl`;
const MIN_NODE_MAJOR = 20;

type Sh = (script: string, args?: string[], stdin?: string) => Promise<{ code: number | null; out: string }>;

function shell(ws: WorkspaceService, id: string, signal: AbortSignal): Sh {
  return async (script, args = [], stdin) => {
    const r = await ws.exec(
      id,
      { cmd: ["sh", "-c", script, "sh", ...args], timeoutMs: 120_000, ...(stdin !== undefined ? { stdin } : {}) },
      signal,
    );
    return { code: r.exitCode, out: (r.stdout + r.stderr).trim().slice(0, 500) };
  };
}

/** The container's Node.js major version, or why the CLI cannot run there. */
export async function containerNode(
  ws: WorkspaceService,
  id: string,
  signal: AbortSignal,
): Promise<{ ok: true } | { ok: false; why: string }> {
  const r = await shell(ws, id, signal)("node -p 'process.versions.node' 2>/dev/null || echo none");
  const major = Number(/^(\d+)\./.exec(r.out)?.[1] ?? NaN);
  if (!Number.isFinite(major)) return { ok: false, why: "it has no Node.js" };
  if (major < MIN_NODE_MAJOR) return { ok: false, why: `its Node.js ${r.out} is older than ${MIN_NODE_MAJOR}` };
  return { ok: true };
}

/** Copies the pinned CLI package (package.json + bundle/) from this machine into the container, once. */
async function ensureCli(ws: WorkspaceService, id: string, hostEntry: string, sh: Sh): Promise<void> {
  if ((await sh(`test -f ${CONTAINER_CLI_ENTRY}`)).code === 0) return;
  const pkgDir = dirname(dirname(hostEntry)); // …/@google/gemini-cli
  const staging = `.gemini-cli-${randomBytes(4).toString("hex")}`;
  const mk = await sh(`mkdir -p ${BASE}/${staging}`);
  if (mk.code !== 0) throw new Error(`cannot write ${BASE} in the container: ${mk.out}`);
  const files = ["package.json", ...(await walk(join(pkgDir, "bundle"))).map((f) => relative(pkgDir, f))];
  const tar = pack();
  const { container } = await ws.running(id);
  // tar-stream packs are streamx streams; dockerode pipes them like any Node readable.
  const upload = container.putArchive(tar as unknown as NodeJS.ReadableStream, { path: `${BASE}/${staging}` });
  for (const f of files) {
    const st = await stat(join(pkgDir, f));
    await new Promise<void>((resolve, reject) => {
      const entry = tar.entry({ name: f, size: st.size, mode: 0o644, uid: 0, gid: 0 }, (err) =>
        err ? reject(err) : resolve(),
      );
      createReadStream(join(pkgDir, f)).on("error", reject).pipe(entry);
    });
  }
  tar.finalize();
  await upload;
  // Whole or not at all: a half-copied CLI must never be found by the test above.
  const mv = await sh(`mv "${BASE}/${staging}" ${CONTAINER_CLI_DIR} || rm -rf "${BASE}/${staging}"`);
  if ((await sh(`test -f ${CONTAINER_CLI_ENTRY}`)).code !== 0)
    throw new Error(`copying the Gemini CLI into the container failed: ${mv.out}`);
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Makes the container ready for a CLI turn: the CLI copied in, its HOME and settings written
 * (and the scripted responses of a test). Returns whether the ticket's session is saved there.
 */
export async function prepareContainer(
  ws: WorkspaceService,
  id: string,
  o: { hostEntry: string; sessionId: string; user?: string; fakeResponses?: string; signal: AbortSignal },
): Promise<{ sessionSaved: boolean }> {
  const sh = shell(ws, id, o.signal);
  await ensureCli(ws, id, o.hostEntry, sh);
  const write = async (path: string, text: string) => {
    const r = await sh('mkdir -p "$(dirname "$1")" && cat > "$1"', [path], text);
    if (r.code !== 0) throw new Error(`cannot write ${path} in the container: ${r.out}`);
  };
  await sh(`mkdir -p ${CONTAINER_HOME} && chmod 700 ${CONTAINER_HOME}`);
  // The CLI runs as the backend's user (exec-user.ts): its HOME must be that user's.
  if (o.user) await sh(`chown -R "$1" ${CONTAINER_HOME}`, [o.user]);
  await write(CONTAINER_SETTINGS, JSON.stringify(SYSTEM_SETTINGS, null, 2) + "\n");
  if (o.fakeResponses !== undefined) await write(CONTAINER_FAKE_RESPONSES, o.fakeResponses);
  const saved = await sh(`ls ${CONTAINER_HOME}/.gemini/tmp/*/chats/ 2>/dev/null | grep -q "^session-.*$1"`, [
    o.sessionId.slice(0, 8),
  ]);
  return { sessionSaved: saved.code === 0 };
}
