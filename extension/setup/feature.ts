/**
 * First run and model setup: the commands behind the walkthrough ("Get Started with
 * AiCockpit") and the status item, and opening that walkthrough once when no model is set up.
 */
import * as vscode from "vscode";
import type { StatusView } from "../backend/status-model";
import { COMMANDS } from "../commands/ids";
import { e2eReport } from "../e2e-report";
import { chooseGguf, fetchCatalog, runSetup, useCatalogModel, type SetupDeps } from "./flow";

const WALKTHROUGH_SHOWN = "aicockpit.setupWalkthroughShown";

export interface SetupFeature {
  /** Call with every status view: opens the walkthrough on the first "set up a model", sets walkthrough context keys. */
  onStatus(view: StatusView): void;
}

export function registerSetupFeature(context: vscode.ExtensionContext, deps: SetupDeps): SetupFeature {
  const report = (err: unknown) => deps.log(`setup failed: ${String(err)}`);
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.setup, () => runSetup(deps).catch(report)),
    vscode.commands.registerCommand(COMMANDS.setupService, () => runSetup(deps, "service").catch(report)),
    vscode.commands.registerCommand(COMMANDS.chooseGguf, () => chooseGguf(deps).catch(report)),
    // Optional argument: a catalog id (the "Try Again" button); default the recommended model.
    vscode.commands.registerCommand(COMMANDS.setupLocalModel, async (modelId?: unknown) => {
      try {
        const catalog = await fetchCatalog(deps.client);
        const entry =
          catalog.models.find((m) => m.id === modelId) ??
          catalog.models.find((m) => m.recommended) ??
          catalog.models[0];
        if (entry === undefined) throw new Error("the built-in model list is empty");
        await useCatalogModel(deps, entry);
      } catch (err) {
        void vscode.window.showErrorMessage(
          `AiCockpit: the built-in model list is not available: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }),
  );

  let lastKey: string | undefined;
  return {
    onStatus(view) {
      if (view.key === lastKey) return;
      lastKey = view.key;
      void vscode.commands.executeCommand("setContext", "aicockpit.modelReady", view.key === "ready");
      void vscode.commands.executeCommand(
        "setContext",
        "aicockpit.localModelReady",
        view.key === "ready" && view.text.endsWith("(local)"),
      );
      if (view.key !== "setup" || context.globalState.get<boolean>(WALKTHROUGH_SHOWN) === true) return;
      // VS Code's own switch for "open an extension's walkthrough when it is installed".
      if (
        vscode.workspace.getConfiguration("workbench").get<boolean>("welcomePage.walkthroughs.openOnInstall") === false
      )
        return;
      void context.globalState.update(WALKTHROUGH_SHOWN, true);
      const id = `${context.extension.id}#setup`;
      e2eReport("walkthrough-opened", { id });
      void vscode.commands.executeCommand("workbench.action.openWalkthrough", id, false);
    },
  };
}
