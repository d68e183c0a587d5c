/**
 * The usual integration suite: one scripted AI service and one real backend using it as the
 * default provider, started in before() and stopped in after(). The fields are set once
 * before() has run.
 */
import { after, before } from "node:test";
import { startScriptedAI, type ScriptedAI } from "../../fixtures/scripted-ai";
import { BackendClient } from "../../../extension/backend/client";
import { providerEnv, startBackend, type Backend } from "./backend";

export interface ScriptedSuite {
  ai: ScriptedAI;
  backend: Backend;
  /** The extension's own typed client, pointed at this backend. */
  client: BackendClient;
}

export function scriptedSuite(extraEnv: Record<string, string> = {}): ScriptedSuite {
  const suite = {} as ScriptedSuite;
  before(async () => {
    suite.ai = await startScriptedAI();
    suite.backend = await startBackend({ env: providerEnv(suite.ai.url, extraEnv) });
    suite.client = new BackendClient(() => ({ baseUrl: suite.backend.url, token: suite.backend.token }));
  });
  after(async () => {
    await suite.backend?.stop();
    await suite.ai?.close();
  });
  return suite;
}
