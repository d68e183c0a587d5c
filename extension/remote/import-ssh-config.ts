/**
 * "Import from ~/.ssh/config": the backend reads the config (Include, wildcards, ProxyJump)
 * and proposes hosts; the user picks which to add. Each added host is then tested, so its
 * key is trusted (or refused) the same way as a host added by hand.
 */
import * as vscode from "vscode";
import type { HostCandidate, HostView } from "../../server/api/hosts";
import type { BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import type { HostSecretStore } from "../secrets";
import { authText } from "./model";
import { testAndTrust } from "./trust";

type Client = Pick<BackendClient, "call">;

export async function importSshConfig(client: Client, secrets: HostSecretStore): Promise<HostView[]> {
  const [found, existing] = await Promise.all([
    client.call("POST /api/hosts/import-ssh-config", { body: {} }),
    client.call("GET /api/hosts"),
  ]);
  const taken = new Set(existing.hosts.map((h) => h.id));
  const fresh = found.candidates.filter((c) => !taken.has(c.id));
  if (fresh.length === 0) {
    const why =
      found.candidates.length > 0
        ? "every host there is added already"
        : `no concrete Host entries in ${found.files[0] ?? "~/.ssh/config"}`;
    void vscode.window.showInformationMessage(
      `Nothing to import: ${why}.${found.warnings.length > 0 ? ` ${found.warnings.join(" ")}` : ""}`,
    );
    return [];
  }
  const picks = await vscode.window.showQuickPick(
    fresh.map((c) => ({
      label: c.alias,
      description: `${c.user}@${c.host}:${c.port ?? 22}${c.jump?.length ? ` via ${c.jump.join(" → ")}` : ""}`,
      detail: `${authText(c.auth)}${c.knownHostsFingerprint ? ` · known key ${c.knownHostsFingerprint}` : " · key not in known_hosts yet"}`,
      picked: true,
      c,
    })),
    {
      title: "Import SSH Hosts from ~/.ssh/config",
      canPickMany: true,
      ignoreFocusOut: true,
      placeHolder: found.warnings.join(" ") || "Pick the hosts to add",
    },
  );
  if (!picks || picks.length === 0) return [];
  // Jump hosts first, so a host's hops exist when it is added.
  const ordered = orderByJumps(picks.map((p) => p.c));
  const added: HostView[] = [];
  for (const c of ordered) {
    const { alias: _alias, knownHostsFingerprint: _kh, ...request } = c;
    const view = await client.call("POST /api/hosts", { body: request });
    e2eReport("remote-host-added", {
      host: view.id,
      address: `${view.host}:${view.port}`,
      auth: view.auth.kind,
      source: view.source,
    });
    added.push(view);
  }
  for (const view of added) await testAndTrust(client, secrets, view);
  return added;
}

function orderByJumps(list: HostCandidate[]): HostCandidate[] {
  const out: HostCandidate[] = [];
  const seen = new Set<string>();
  const visit = (c: HostCandidate) => {
    if (seen.has(c.id)) return;
    seen.add(c.id);
    for (const hop of c.jump ?? []) {
      const dep = list.find((x) => x.id === hop);
      if (dep) visit(dep);
    }
    out.push(c);
  };
  list.forEach(visit);
  return out;
}
