/**
 * The built-in agent's tools. Each takes the model's JSON arguments (untrusted: checked here),
 * works inside the ticket's folder only, and returns text the model sees. A tool error is an
 * answer (`ok: false`), not an exception: the model reads it and tries something else.
 */
import { execFile } from "node:child_process";
import { readdir, readFile, stat, writeFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { TICKET_LIMITS } from "../../api/tickets";
import { PathError, relToTicket, resolveInTicket } from "../paths";

export interface ToolOutcome {
  ok: boolean;
  output: string;
  /** The tool may have changed files (a checkpoint is worth writing). */
  mutated: boolean;
  /** Exactly the files it changed (relative, `/`-separated), when it knows: the checkpoint then hashes only these. */
  paths?: string[];
}

export interface ToolEnv {
  root: string;
  readOnly: boolean;
  /** Runs a command (confirmation and placement are the caller's). */
  runCommand: (command: string, cwd: string) => Promise<ToolOutcome>;
  signal: AbortSignal;
}

type Json = Record<string, unknown>;
const MAX = TICKET_LIMITS.toolOutputChars;
const SKIP_DIRS = new Set([".git", "node_modules", ".venv", "__pycache__", "dist", "build", "target"]);

const str = (o: { type: "string"; description: string }) => o;
const fn = (name: string, description: string, properties: Record<string, unknown>, required: string[]) => ({
  type: "function" as const,
  function: { name, description, parameters: { type: "object", properties, required, additionalProperties: false } },
});

const READ_TOOLS = [
  fn(
    "list_files",
    "List files and folders under a path of the repository (default: its root), up to `depth` levels.",
    { path: str({ type: "string", description: "relative path" }), depth: { type: "integer", minimum: 1, maximum: 4 } },
    [],
  ),
  fn(
    "read_file",
    "Read a text file, optionally lines start_line..end_line (1-based, inclusive).",
    {
      path: str({ type: "string", description: "relative path" }),
      start_line: { type: "integer", minimum: 1 },
      end_line: { type: "integer", minimum: 1 },
    },
    ["path"],
  ),
  fn(
    "search",
    "Search file contents for a regular expression; answers path:line:text.",
    {
      pattern: str({ type: "string", description: "regular expression" }),
      path: str({ type: "string", description: "relative folder or file (default: root)" }),
    },
    ["pattern"],
  ),
];
const WRITE_TOOLS = [
  fn(
    "edit_file",
    "Replace the one exact occurrence of old_str with new_str in a file, or create a new file with create=true (fails if it exists).",
    {
      path: str({ type: "string", description: "relative path" }),
      old_str: str({ type: "string", description: "exact text that occurs once" }),
      new_str: str({ type: "string", description: "replacement (or the whole file for create)" }),
      create: { type: "boolean" },
    },
    ["path", "new_str"],
  ),
  fn(
    "run_command",
    "Run a shell command in the repository (the user may have to confirm it). Answers its exit code and output.",
    {
      command: str({ type: "string", description: "the command line" }),
      cwd: str({ type: "string", description: "relative folder (default: root)" }),
    },
    ["command"],
  ),
];
const FINISH = fn(
  "finish",
  "End your work. `summary`: your final answer, the plan in markdown, or what you changed and why.",
  { summary: str({ type: "string", description: "final text" }) },
  ["summary"],
);

export function toolSpecs(readOnly: boolean): unknown[] {
  return readOnly ? [...READ_TOOLS, FINISH] : [...READ_TOOLS, ...WRITE_TOOLS, FINISH];
}

const fail = (output: string): ToolOutcome => ({ ok: false, output, mutated: false });

function truncate(text: string, hint: string): string {
  return text.length > MAX ? `${text.slice(0, MAX)}\n[… truncated at ${MAX} characters; ${hint}]` : text;
}

function optInt(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined;
}

async function listFiles(root: string, a: Json): Promise<ToolOutcome> {
  const base = resolveInTicket(root, typeof a.path === "string" ? a.path : ".");
  const depth = Math.min(optInt(a.depth) ?? 2, 4);
  const out: string[] = [];
  const walk = async (dir: string, level: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((x, y) => x.name.localeCompare(y.name));
    for (const e of entries) {
      if (out.length >= 500) return;
      if (e.isDirectory() && SKIP_DIRS.has(e.name)) continue;
      const rel = relative(root, join(dir, e.name));
      out.push(e.isDirectory() ? `${rel}/` : rel);
      if (e.isDirectory() && level < depth) await walk(join(dir, e.name), level + 1);
    }
  };
  await walk(base, 1);
  return {
    ok: true,
    output: out.length >= 500 ? `${out.join("\n")}\n[… first 500 entries]` : out.join("\n"),
    mutated: false,
  };
}

async function readTextFile(root: string, a: Json): Promise<ToolOutcome> {
  if (typeof a.path !== "string") return fail("read_file needs a `path`.");
  const p = resolveInTicket(root, a.path);
  const st = await stat(p);
  if (st.isDirectory()) return fail(`${a.path} is a folder; use list_files.`);
  if (st.size > 8 * 1024 * 1024) return fail(`${a.path} is ${st.size} bytes, too large to read.`);
  const lines = (await readFile(p, "utf8")).split("\n");
  const from = optInt(a.start_line) ?? 1;
  const to = Math.min(optInt(a.end_line) ?? lines.length, lines.length);
  if (from > lines.length) return fail(`${a.path} has ${lines.length} lines.`);
  const body = lines.slice(from - 1, to).join("\n");
  return { ok: true, output: truncate(body, `read a smaller line range of the ${lines.length} lines`), mutated: false };
}

function ripgrep(pattern: string, target: string, root: string, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      "rg",
      [
        "--no-config",
        "-n",
        "--no-heading",
        "--color",
        "never",
        "--max-columns",
        "300",
        "--max-count",
        "50",
        "-e",
        pattern,
        "--",
        target,
      ],
      { cwd: root, maxBuffer: 4 * 1024 * 1024, timeout: 30_000, signal },
      (err, stdout) => {
        const code = (err as { code?: unknown } | null)?.code;
        if (err && code === "ENOENT") return resolve(undefined); // not installed: the JS fallback
        if (err && code !== 1) return resolve(stdout || `search failed: ${err.message}`);
        resolve(stdout);
      },
    );
  });
}

/** When ripgrep is not installed: the same answer shape, slower. */
async function jsSearch(re: RegExp, target: string, root: string): Promise<string> {
  const out: string[] = [];
  const visit = async (p: string): Promise<void> => {
    if (out.length >= 500) return;
    const st = await stat(p);
    if (st.isDirectory()) {
      for (const e of await readdir(p)) if (!SKIP_DIRS.has(e)) await visit(join(p, e));
      return;
    }
    if (st.size > 2 * 1024 * 1024) return;
    const text = await readFile(p, "utf8");
    if (text.includes("\0")) return;
    text.split("\n").forEach((line, i) => {
      if (out.length < 500 && re.test(line)) out.push(`${relative(root, p)}:${i + 1}:${line.slice(0, 300)}`);
    });
  };
  await visit(target);
  return out.join("\n");
}

let rgMissing = false;
async function search(root: string, a: Json, signal: AbortSignal): Promise<ToolOutcome> {
  if (typeof a.pattern !== "string" || a.pattern === "") return fail("search needs a `pattern`.");
  let re: RegExp;
  try {
    re = new RegExp(a.pattern);
  } catch (e) {
    return fail(`The pattern is not a valid regular expression: ${(e as Error).message}`);
  }
  const target = resolveInTicket(root, typeof a.path === "string" ? a.path : ".");
  let found = rgMissing ? undefined : await ripgrep(a.pattern, relToTicket(root, target), root, signal);
  if (found === undefined) {
    rgMissing = true;
    found = await jsSearch(re, target, root);
  }
  return {
    ok: true,
    output: truncate(found.trim() || "No matches.", "narrow the pattern or the path"),
    mutated: false,
  };
}

async function editFile(root: string, a: Json): Promise<ToolOutcome> {
  if (typeof a.path !== "string" || typeof a.new_str !== "string") return fail("edit_file needs `path` and `new_str`.");
  const p = resolveInTicket(root, a.path);
  if (a.create === true) {
    if (existsSync(p)) return fail(`${a.path} already exists; edit it with old_str/new_str instead.`);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, a.new_str, { flag: "wx" });
    return {
      ok: true,
      output: `Created ${a.path} (${a.new_str.split("\n").length} lines).`,
      mutated: true,
      paths: [gitPath(root, p)],
    };
  }
  if (typeof a.old_str !== "string" || a.old_str === "") return fail("edit_file needs `old_str` (or create=true).");
  if (!existsSync(p)) return fail(`${a.path} does not exist; use create=true to make it.`);
  const text = await readFile(p, "utf8");
  const first = text.indexOf(a.old_str);
  if (first < 0) return fail(`old_str was not found in ${a.path}. Read the file again and copy the text exactly.`);
  const count = text.split(a.old_str).length - 1;
  if (count > 1) return fail(`old_str occurs ${count} times in ${a.path}; include more context so it is unique.`);
  await writeFile(p, text.slice(0, first) + a.new_str + text.slice(first + a.old_str.length));
  return { ok: true, output: `Edited ${a.path}.`, mutated: true, paths: [gitPath(root, p)] };
}

/** The path as git names it: relative to the clone, `/`-separated. */
function gitPath(root: string, abs: string): string {
  return relToTicket(root, abs).split(sep).join("/");
}

export async function runTool(name: string, args: Json, env: ToolEnv): Promise<ToolOutcome> {
  try {
    switch (name) {
      case "list_files":
        return await listFiles(env.root, args);
      case "read_file":
        return await readTextFile(env.root, args);
      case "search":
        return await search(env.root, args, env.signal);
      case "edit_file":
        if (env.readOnly) return fail("This action may not change files.");
        return await editFile(env.root, args);
      case "run_command": {
        if (env.readOnly) return fail("This action may not run commands.");
        if (typeof args.command !== "string" || args.command.trim() === "") return fail("run_command needs `command`.");
        const cwd = resolveInTicket(env.root, typeof args.cwd === "string" ? args.cwd : ".");
        return await env.runCommand(args.command, relToTicket(env.root, cwd));
      }
      default:
        return fail(`There is no tool ${JSON.stringify(name)}.`);
    }
  } catch (e) {
    if (e instanceof PathError) return fail(e.message);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return fail("No such file or folder.");
    if (code === "ABORT_ERR") throw e;
    return fail(`${name} failed: ${(e as Error).message}`);
  }
}
