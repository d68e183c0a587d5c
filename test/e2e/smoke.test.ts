/**
 * E2E smoke: the packaged extension in a real VS Code (code-server + Chromium), pointed at
 * the scripted AI service through user settings. It activates, spawns the backend, shows
 * the scripted model as ready; when the backend is killed the status bar says so, and the
 * supervisor brings it back to ready by itself. Screenshots of each step land in
 * .test-artifacts/e2e/ (look at them).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startScriptedAI, type ScriptedAI } from "../fixtures/scripted-ai";
import { e2eSkipReason, startVSCode, type ReportEvent, type VSCodeSession } from "./harness";
import { isAlive, taggedPids } from "./harness/processes";

const MODEL = "scripted-coder-7b";
const READY = new RegExp(`AiCockpit: ${MODEL.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

function pidOf(e: ReportEvent): number {
  assert.equal(typeof e.pid, "number", `report event without a pid: ${JSON.stringify(e)}`);
  return e.pid as number;
}

describe("E2E smoke: extension + backend in real VS Code", () => {
  let skip: string | undefined;
  let ai: ScriptedAI | undefined;
  let vs: VSCodeSession | undefined;

  before(async () => {
    skip = e2eSkipReason("smoke.test.ts");
    if (skip) return;
    ai = await startScriptedAI({ models: [MODEL] });
    ai.setDefault({ text: "Hello from the scripted AI." });
  });

  after(async () => {
    await vs?.close();
    await ai?.close();
  });

  test("activates, shows the scripted model, survives a backend crash", { timeout: 240_000 }, async (t) => {
    if (skip || !ai) return t.skip(skip);
    vs = await startVSCode({
      name: "smoke",
      settings: {
        "aicockpit.provider.kind": "custom",
        "aicockpit.provider.baseUrl": `${ai.url}/v1`,
        "aicockpit.provider.model": MODEL,
      },
      workspaceFiles: { "hello.py": 'def greet(name):\n    return f"Hello, {name}!"\n' },
    });
    await vs.page.getByRole("treeitem", { name: "hello.py" }).waitFor({ timeout: 30_000 });
    await vs.screenshot("workbench");

    const activated = await vs.waitForReport((e) => e.event === "activated", 60_000);
    t.diagnostic(`activated: ${JSON.stringify(activated)}`);
    const ready = await vs.waitForReport((e) => e.event === "backend-ready", 60_000);
    const firstPid = pidOf(ready);
    const readyText = await vs.waitForStatusBar(READY, 60_000);
    t.diagnostic(`status bar: "${readyText}", backend pid ${firstPid}`);
    await vs.screenshot("ready");
    assert.ok(
      ai.requests.some((r) => r.path.startsWith("/v1/")),
      `the backend never reached the scripted AI service: ${JSON.stringify(ai.requests.map((r) => r.path))}`,
    );

    // The backend dies hard, as on an OOM kill.
    const mark = vs.readReport().length;
    process.kill(firstPid, "SIGKILL");
    await vs.waitForReport((e) => e.event === "backend-exited" && e.pid === firstPid, 15_000, mark);
    const crashedText = await vs.waitForStatusBar(/backend crashed/, 15_000);
    t.diagnostic(`status bar after kill: "${crashedText}"`);
    const crashToast = vs.page.locator(".notifications-toasts .notification-toast", { hasText: /crashed/ });
    await crashToast.first().waitFor({ state: "visible", timeout: 5_000 });
    await vs.page.waitForTimeout(300); // let the notification finish sliding in (the restart waits 1 s)
    await vs.screenshot("crashed");

    const again = await vs.waitForReport((e) => e.event === "backend-ready" && e.pid !== firstPid, 60_000, mark);
    const secondPid = pidOf(again);
    assert.notEqual(secondPid, firstPid);
    const recoveredText = await vs.waitForStatusBar(READY, 60_000);
    t.diagnostic(`status bar after recovery: "${recoveredText}", backend pid ${secondPid}`);
    // No stale "crashed, restarting…" toast next to a healthy status bar.
    await crashToast.first().waitFor({ state: "hidden", timeout: 10_000 });
    await vs.screenshot("recovered");

    // The status sequence the user saw, as the extension reported it.
    const keys = vs
      .readReport()
      .filter((e) => e.event === "state")
      .map((e) => String(e.key));
    t.diagnostic(`states: ${keys.join(" → ")}`);
    const crashedAt = keys.indexOf("crashed");
    assert.ok(crashedAt > keys.indexOf("ready"), `ready before crashed: ${keys.join(", ")}`);
    assert.ok(keys.lastIndexOf("ready") > crashedAt, `ready again after crashed: ${keys.join(", ")}`);

    // Teardown leaves nothing behind: code-server, extension host and backend are gone.
    const tag = vs.tag;
    await vs.close();
    assert.deepEqual(
      taggedPids((x) => x === tag),
      [],
      "processes of this run survived close()",
    );
    assert.equal(isAlive(secondPid), false, `backend ${secondPid} survived close()`);
  });
});
