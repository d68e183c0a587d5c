/**
 * A feature whose code loads on first use. VS Code waits for activate() before it shows
 * anything of ours, so a feature that only acts when one of its commands runs (Ctrl+K edit,
 * terminal commands, …) registers stand-ins at activation: the first call of any of them
 * loads the feature's module (esbuild keeps it unevaluated until then), which registers the
 * real commands, and the call is handed over to the real command with its arguments.
 *
 * The stand-ins are the commands package.json declares under the feature's prefix, so a new
 * command of a lazy feature needs no second list. Features that must be there before any
 * command (a completion provider, tree views, a file system provider) register eagerly.
 */
import * as vscode from "vscode";

interface Command {
  command: string;
}

/** The feature's commands as package.json declares them (`contributes.commands`). */
function declaredCommands(context: vscode.ExtensionContext, prefix: string): string[] {
  const pkg = context.extension.packageJSON as { contributes?: { commands?: Command[] } };
  return (pkg.contributes?.commands ?? []).map((c) => c.command).filter((id) => id.startsWith(prefix));
}

/**
 * Registers stand-ins for every command under `prefix` (e.g. "aicockpit.edit."). The first
 * time one runs, `load` imports the feature's module and `register` registers the feature (its
 * commands, providers, status items) from it. Returns that load, for callers that want the
 * feature sooner.
 */
export function lazyFeature<M>(
  context: vscode.ExtensionContext,
  prefix: string,
  load: () => Promise<M>,
  register: (m: M) => void,
  log: (msg: string) => void,
): () => Promise<void> {
  const ids = declaredCommands(context, prefix);
  if (ids.length === 0) throw new Error(`lazyFeature: package.json declares no command under ${prefix}`);
  let loading: Promise<void> | undefined;
  const stubs = ids.map((id) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      await ensure();
      return vscode.commands.executeCommand(id, ...args);
    }),
  );
  const ensure = () =>
    (loading ??= (async () => {
      const started = performance.now();
      const m = await load();
      // Synchronously from here: the real commands take the stand-ins' ids, with no moment without either.
      for (const s of stubs) s.dispose();
      register(m);
      log(`${prefix}* loaded on first use in ${Math.round(performance.now() - started)} ms`);
    })());
  context.subscriptions.push({ dispose: () => stubs.forEach((s) => s.dispose()) });
  return ensure;
}
