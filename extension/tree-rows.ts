/**
 * Tree rows every AiCockpit view shares: a row drawn from a `RowLook` (the vscode-free description
 * each feature's model computes), and a "message" row for empty lists, hints and errors.
 */
import * as vscode from "vscode";
import { BackendError } from "./backend/client";
import type { RowLook } from "./workspaces/model";

export interface MessageRow {
  kind: "message";
  text: string;
  detail?: string;
  /** codicon id */
  icon: string;
  /** Command run when the row is clicked (e.g. "New ticket…"). */
  command?: string;
}

export function messageItem(n: MessageRow): vscode.TreeItem {
  const t = new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
  t.iconPath = new vscode.ThemeIcon(n.icon);
  if (n.detail !== undefined) t.tooltip = n.detail;
  t.contextValue = "message";
  if (n.command !== undefined) t.command = { command: n.command, title: n.text };
  return t;
}

/** A failed listing as one row: the backend's message, its hint as the tooltip. */
export function errorRow(err: unknown): MessageRow {
  const e = err instanceof BackendError ? err : undefined;
  return { kind: "message", text: e?.message ?? String(err), ...(e?.hint ? { detail: e.hint } : {}), icon: "warning" };
}

export function lookItem(
  look: RowLook,
  id: string,
  state: vscode.TreeItemCollapsibleState = vscode.TreeItemCollapsibleState.None,
): vscode.TreeItem {
  const t = new vscode.TreeItem(look.label, state);
  t.id = id;
  t.description = look.description;
  t.tooltip = look.tooltip;
  t.iconPath = new vscode.ThemeIcon(
    look.icon,
    look.color !== undefined ? new vscode.ThemeColor(look.color) : undefined,
  );
  t.contextValue = look.contextValue;
  // Without it screen readers (and tests) get the tooltip, which does not start with the name.
  t.accessibilityInformation = { label: `${look.label}, ${look.description}` };
  return t;
}
