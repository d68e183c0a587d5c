/**
 * The usual E2E suite with the scripted AI service: before() decides whether to skip (no
 * code-server/Chromium outside CI) and starts the AI service; the test starts VS Code with
 * scriptedProvider() settings and stores the session, so after() closes it with the AI.
 */
import { after, before } from "node:test";
import { startScriptedAI, type ScriptedAI, type ScriptedReply } from "../../fixtures/scripted-ai";
import { e2eSkipReason, type VSCodeSession } from "./vscode";

export interface ScriptedE2E {
  /** Why the suite skips; undefined when it runs. */
  skip?: string;
  ai?: ScriptedAI;
  vs?: VSCodeSession;
}

export function scriptedE2E(suiteFile: string, models: string[], defaultReply: ScriptedReply): ScriptedE2E {
  const suite: ScriptedE2E = {};
  before(async () => {
    suite.skip = e2eSkipReason(suiteFile);
    if (suite.skip) return;
    suite.ai = await startScriptedAI({ models, defaultReply });
  });
  after(async () => {
    await suite.vs?.close();
    await suite.ai?.close();
  });
  return suite;
}

/** Settings that make the extension use the scripted AI service as its custom provider, with `model`. */
export function scriptedProvider(ai: ScriptedAI, model: string): Record<string, string> {
  return {
    "aicockpit.provider.kind": "custom",
    "aicockpit.provider.baseUrl": `${ai.url}/v1`,
    "aicockpit.provider.model": model,
  };
}
