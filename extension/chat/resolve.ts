/**
 * Turns mentions into prompt context and chips. vscode-free: the editor is reached through
 * `MentionHost`, so the rules (secrets refused, binary refused, huge files cut and marked,
 * paths kept inside the workspace) are unit-tested without VS Code.
 */
import type { ChatContextItem } from "../../server/api/chat";
import { containsPrivateKey, isSecretPath } from "../../common/secrets";
import { normalizePath, uniqueMentions, type Mention } from "../../common/mentions";
import type { MentionChip } from "../../webview-ui/protocol";
import type { CodebaseTarget } from "../codebase/target";

/** Per-file cap before the backend's budget: keeps the request body well under its limit. */
export const MAX_FILE_CHARS = 240_000;
/** Bytes read from a file at most (a few more than the cap, for multi-byte characters). */
export const MAX_READ_BYTES = MAX_FILE_CHARS * 2;
const MAX_PROBLEMS = 200;
const TERMINAL_CHARS = 16_000;

export interface FileHead {
  bytes: Uint8Array;
  /** Whole file size in bytes (may exceed bytes.length). */
  size: number;
}

export interface SelectionInfo {
  path: string;
  languageId: string;
  text: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
}

export interface ProblemInfo {
  path: string;
  line: number;
  column: number;
  severity: "error" | "warning" | "info" | "hint";
  message: string;
  source?: string;
}

export interface MentionHost {
  /** Up to `maxBytes` of a workspace-relative file; undefined when it does not exist (or is a folder). */
  readHead(path: string, maxBytes: number): Promise<FileHead | undefined>;
  /** .gitignore / .aicockpitignore / files.exclude say the file must not be used. */
  isIgnored(path: string): Promise<boolean>;
  languageOf(path: string): string;
  selection(): SelectionInfo | undefined;
  problems(): ProblemInfo[];
  /** Recent output of the most recently used terminal. */
  terminal(): { name: string; text: string } | undefined;
  /** A Docker workspace's file tree (the named one, or the only running one), or why not. */
  workspace(name: string | undefined): Promise<WorkspaceSnapshot | { error: string }>;
  /** What @codebase searches (the window's folder), or why nothing can be. */
  codebase(): CodebaseTarget | { error: string };
}

export interface WorkspaceSnapshot {
  name: string;
  /** One path per line, directories ending in `/`. */
  tree: string;
  truncated: boolean;
}

export interface Resolved {
  chips: MentionChip[];
  context: ChatContextItem[];
  /** Set by @codebase: the backend retrieves from this codebase's index for the question. */
  codebase?: CodebaseTarget;
}

/** NUL bytes or invalid UTF-8 in the first 8 KB: a binary file, never text for a model. */
export function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return true;
  // A multi-byte character cut by the 8 KB window is not an error: trim up to 3 bytes.
  let end = head.length;
  if (bytes.length > head.length) {
    let back = 0;
    // Before the start there is no byte: 0 is neither a continuation (10xxxxxx) nor a lead byte (11xxxxxx).
    const byteBefore = (n: number): number => head[end - n - 1] ?? 0;
    while (back < 3 && (byteBefore(back) & 0xc0) === 0x80) back++;
    if (byteBefore(back) >= 0xc0) back++;
    end -= back;
  }
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(head.subarray(0, end));
  } catch {
    return true;
  }
  let control = 0;
  for (const b of head) if (b < 9 || (b > 13 && b < 32)) control++;
  return head.length > 0 && control / head.length > 0.1;
}

/** A workspace-relative path that cannot leave the workspace, or undefined. */
export function safeRelative(path: string): string | undefined {
  const p = normalizePath(path);
  if (p === "" || p.startsWith("/") || /^[a-zA-Z]:/.test(p)) return undefined;
  if (p.split("/").some((seg) => seg === "..")) return undefined;
  return p;
}

function approxTokens(chars: number): string {
  const t = Math.ceil(chars / 3);
  return t >= 1000 ? `${(t / 1000).toFixed(t >= 10_000 ? 0 : 1)}k` : String(t);
}

export async function resolveFile(
  path: string,
  host: MentionHost,
): Promise<{ chip: MentionChip; item?: ChatContextItem }> {
  const rel = safeRelative(path);
  const mention: Mention = { kind: "file", path: normalizePath(path) };
  const label = normalizePath(path);
  if (rel === undefined) return { chip: { mention, label, error: "Only files inside the workspace can be attached." } };
  if (isSecretPath(rel))
    return { chip: { mention, label, error: "Secret files (.env, keys, certificates) are never sent to the AI." } };
  if (await host.isIgnored(rel))
    return { chip: { mention, label, error: "Excluded by .gitignore, .aicockpitignore or files.exclude." } };
  const head = await host.readHead(rel, MAX_READ_BYTES);
  if (head === undefined) return { chip: { mention, label, error: "File not found in the workspace." } };
  if (looksBinary(head.bytes))
    return { chip: { mention, label, error: "Binary file: only text files can be attached." } };
  let text = new TextDecoder("utf-8").decode(head.bytes);
  if (containsPrivateKey(text))
    return { chip: { mention, label, error: "Contains a private key: never sent to the AI." } };
  const cut = head.size > head.bytes.length || text.length > MAX_FILE_CHARS;
  // A character cut by the byte window decodes as U+FFFD: drop it along with the rest.
  if (head.size > head.bytes.length) text = text.replace(/\uFFFD+$/, "");
  if (text.length > MAX_FILE_CHARS) text = text.slice(0, MAX_FILE_CHARS);
  const originalChars = cut ? Math.max(head.size, text.length) : text.length;
  const item: ChatContextItem = {
    kind: "file",
    label,
    path: rel,
    languageId: host.languageOf(rel),
    content: text,
    ...(cut ? { clientTruncated: true, originalChars } : {}),
  };
  const chip: MentionChip = cut
    ? {
        mention,
        label,
        truncated: true,
        note: `Huge file: only the first ~${approxTokens(text.length)} of ~${approxTokens(originalChars)} tokens are attached.`,
      }
    : { mention, label };
  return { chip, item };
}

export function formatProblems(problems: readonly ProblemInfo[]): string {
  return problems
    .slice(0, MAX_PROBLEMS)
    .map((p) => `${p.path}:${p.line}:${p.column} ${p.severity}: ${p.message}${p.source ? ` (${p.source})` : ""}`)
    .join("\n");
}

export async function resolveMentions(mentions: readonly Mention[], host: MentionHost): Promise<Resolved> {
  const chips: MentionChip[] = [];
  const context: ChatContextItem[] = [];
  let codebase: CodebaseTarget | undefined;
  for (const m of uniqueMentions(mentions)) {
    switch (m.kind) {
      case "file": {
        const { chip, item } = await resolveFile(m.path, host);
        chips.push(chip);
        if (item) context.push(item);
        break;
      }
      case "selection": {
        const s = host.selection();
        if (!s || s.text.trim() === "") {
          chips.push({ mention: m, label: "selection", error: "Nothing is selected in an editor." });
          break;
        }
        const label = `${s.path}:${s.startLine}-${s.endLine}`;
        if (isSecretPath(s.path) || containsPrivateKey(s.text)) {
          chips.push({ mention: m, label, error: "The selection is in a secret file: never sent to the AI." });
          break;
        }
        chips.push({ mention: m, label });
        context.push({ kind: "selection", label, path: s.path, languageId: s.languageId, content: s.text });
        break;
      }
      case "problems": {
        const all = host.problems();
        const label = `problems (${all.length})`;
        if (all.length === 0) {
          chips.push({ mention: m, label: "problems", error: "No problems are reported in the workspace." });
          break;
        }
        chips.push({
          mention: m,
          label,
          ...(all.length > MAX_PROBLEMS
            ? { truncated: true, note: `Only the first ${MAX_PROBLEMS} of ${all.length} are attached.` }
            : {}),
        });
        context.push({ kind: "problems", label, content: formatProblems(all) });
        break;
      }
      case "terminal": {
        const t = host.terminal();
        if (!t || t.text.trim() === "") {
          chips.push({
            mention: m,
            label: "terminal",
            error: "No terminal output captured yet (needs a terminal with shell integration).",
          });
          break;
        }
        const label = `terminal: ${t.name}`;
        const cut = t.text.length > TERMINAL_CHARS;
        const text = cut ? t.text.slice(-TERMINAL_CHARS) : t.text;
        chips.push({
          mention: m,
          label,
          ...(cut ? { truncated: true, note: "Only the most recent output is attached." } : {}),
        });
        context.push({
          kind: "terminal",
          label,
          content: text,
          ...(cut ? { clientTruncated: true, originalChars: t.text.length } : {}),
        });
        break;
      }
      case "codebase": {
        const t = host.codebase();
        if ("error" in t) {
          chips.push({ mention: m, label: "codebase", error: t.error });
          break;
        }
        codebase = t;
        chips.push({ mention: m, label: `codebase: ${t.name}` });
        break;
      }
      case "workspace": {
        const w = await host.workspace(m.name);
        if ("error" in w) {
          chips.push({ mention: m, label: m.name ? `workspace:${m.name}` : "workspace", error: w.error });
          break;
        }
        const label = `workspace:${w.name}`;
        chips.push({
          mention: m,
          label,
          ...(w.truncated ? { truncated: true, note: "Large workspace: only part of the file tree is attached." } : {}),
        });
        context.push({
          kind: "workspace",
          label,
          content: `Files in the Docker workspace "${w.name}" (under /workspace):\n${w.tree}`,
        });
        break;
      }
    }
  }
  return { chips, context, ...(codebase ? { codebase } : {}) };
}
