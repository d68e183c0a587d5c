/** Deleting, moving, copying, writing files; permissions; disks and partitions. */
import { programName, findRoots, FIND_NARROWING } from "../wrappers";
import { allCommands, type Command } from "../parse";
import { BROAD, classifyPath, describeClass, insideWorkspace, underHome } from "../paths";
import { has, value } from "../args";
import {
  f,
  shown,
  literalWord,
  pathFindings,
  rememberWritten,
  upstreamOutput,
  writeFinding,
  inputWords,
  type Finding,
  type Rule,
} from "./finding";

/** Programs that delete the files they are given. */
export const DELETERS = new Set(["rm", "unlink", "shred", "srm", "wipe", "trash", "trash-put", "gio-trash"]);

/** Where `xargs` gets its input, for reasons: the command piped into it, or its input file. */
function inputOf(cmd: Command): string {
  const up = cmd.upstream[cmd.upstream.length - 1];
  if (up) return `the paths \`${up.source}\` prints`;
  const file = cmd.redirects.find((r) => r.op === "<");
  return file ? `the paths listed in ${shown(file.target)}` : "paths read from its input";
}

export const rm: Rule = (cmd, a, ctx) => {
  const recursive = has(a, "r", "R", "--recursive");
  const fromInput = inputWords(cmd, literalWord);
  const targets = [...a.operands, ...(fromInput ?? [])];
  const out: Finding[] = [];
  const how = recursive ? "recursively deletes" : "deletes";
  if (has(a, "--no-preserve-root"))
    out.push(f("dangerous", cmd, "uses --no-preserve-root, which turns off the protection of /"));
  // Targets another command produces at run time (`… | while read f; do rm "$f"`, `rm -rf $(find …)`) cannot be checked here.
  const indirect = targets.filter((t) => t.indirect !== undefined);
  for (const t of indirect)
    out.push(f("dangerous", cmd, `${how} ${shown(t)}, which is ${t.indirect}: the paths are only known when it runs`));
  // `rm -rf ~/projects`: the user's other data, not the project the command is about.
  const elsewhereInHome = (t: (typeof targets)[number]) =>
    recursive && classifyPath(t) === "specific" && underHome(t, ctx.workspace) && !insideWorkspace(t, ctx.workspace);
  for (const t of targets) {
    if (t.indirect === undefined && elsewhereInHome(t))
      out.push(
        f(
          "dangerous",
          cmd,
          `recursively deletes ${shown(t)}, a folder in the home directory outside the current workspace`,
        ),
      );
  }
  out.push(
    ...pathFindings(
      cmd,
      targets.filter((t) => t.indirect === undefined && !elsewhereInHome(t)),
      "deletes",
      recursive,
    ),
  );
  if (cmd.argsFromInput && fromInput === null)
    out.push(f("dangerous", cmd, `${how} ${inputOf(cmd)} (through xargs): the paths are only known when it runs`));
  if (out.length === 0) out.push(f("review", cmd, "deletes files"));
  return out;
};

export const shred: Rule = (cmd, a) => [
  f("dangerous", cmd, `overwrites ${a.operands.map(shown).join(", ") || "files"} so the data can never be recovered`),
];

/** The filters of a `find` as written (`-name '*.pyc' -type f`), for reasons. */
function findFilters(cmd: Command): string {
  const out: string[] = [];
  cmd.argv.forEach((w, k) => {
    const value = cmd.argv[k + 1];
    if (FIND_NARROWING.has(w.text) && value) out.push(`${w.text} ${shown(value)}`);
  });
  return out.join(" ");
}

export const find: Rule = (cmd, a, ctx) => {
  const roots = findRoots(cmd.argv);
  const rootWords = roots.length > 0 ? roots : [literalWord(".")];
  const narrowed = cmd.argv.some((w) => FIND_NARROWING.has(w.text));
  const texts = a.texts;
  const deletes = texts.includes("-delete");
  const execs = cmd.argv.filter((w) => ["-exec", "-execdir", "-ok", "-okdir"].includes(w.text)).length > 0;
  const filters = findFilters(cmd);
  const under = (r: (typeof rootWords)[number]) =>
    r.text === "." ? "the current directory" : describeClass(classifyPath(r), shown(r));
  const out: Finding[] = [];
  if (deletes) {
    for (const r of rootWords) {
      const c = classifyPath(r);
      const wide = c === "root" || c === "system" || c === "top" || (BROAD.has(c) && !narrowed);
      const inside = insideWorkspace(r, ctx.workspace);
      if (wide)
        out.push(
          f(
            "dangerous",
            cmd,
            narrowed
              ? `deletes matching files (${filters}) all over ${describeClass(c, shown(r))}`
              : `deletes ${describeClass(c, shown(r))}`,
          ),
        );
      // Outside the workspace, what find matches is not the user's project: nobody has looked at it.
      else if (!inside)
        out.push(
          f(
            "dangerous",
            cmd,
            `deletes the files it finds under ${shown(r)}${filters ? ` (${filters})` : ""}, outside the current workspace, without listing them first`,
          ),
        );
      else
        out.push(
          f("review", cmd, `deletes the files it finds under ${under(r)}${filters ? ` that match ${filters}` : ""}`),
        );
    }
  }
  if (execs) {
    // Whatever find runs with the matches: a deleting program anywhere in it (`-exec rm -rf {} +`,
    // `-execdir sh -c 'rm "$1"' _ {} \;`) deletes targets that are only known when it runs.
    const deleter = cmd.runs.flatMap((s) => [...allCommands(s)]).find((c) => DELETERS.has(programName(c.argv[0])));
    if (deleter) {
      for (const r of rootWords) {
        out.push(
          f(
            "dangerous",
            cmd,
            `runs \`${deleter.source}\` on everything it finds under ${under(r)}${filters ? ` that matches ${filters}` : ""}: what gets deleted is only known when it runs`,
          ),
        );
      }
    } else {
      const execProg = cmd.argv[cmd.argv.findIndex((w) => ["-exec", "-execdir", "-ok", "-okdir"].includes(w.text)) + 1];
      const destructive = ["chmod", "chown", "chgrp", "mv", "truncate", "dd"].includes(programName(execProg));
      for (const r of rootWords) {
        const c = classifyPath(r);
        if (destructive && (c === "root" || c === "system"))
          out.push(
            f("dangerous", cmd, `runs ${programName(execProg)} on files all over ${describeClass(c, shown(r))}`),
          );
      }
    }
    // The -exec command itself is judged as its own part too (see wrappers.ts).
  }
  if (texts.some((t) => ["-fprint", "-fprint0", "-fprintf", "-fls"].includes(t)))
    out.push(f("review", cmd, "writes its results to a file"));
  if (out.length === 0 && !execs) out.push(f("safe", cmd, "only searches"));
  return out;
};

export const mv: Rule = (cmd, a, ctx) => {
  const ops = a.operands;
  const targetDir = value(a, "-t", "--target-directory");
  const dest = targetDir ?? ops[ops.length - 1];
  const sources = targetDir ? ops : ops.slice(0, -1);
  const out: Finding[] = [];
  if (dest && /^\/dev\/null\/?$/.test(dest.literal ?? ""))
    return [f("dangerous", cmd, "moves files onto /dev/null, which destroys them (and can break /dev/null itself)")];
  for (const s of sources) {
    const c = classifyPath(s);
    if (BROAD.has(c) && c !== "var-root") out.push(f("dangerous", cmd, `moves ${describeClass(c, shown(s))} away`));
  }
  if (dest) {
    const w = writeFinding(cmd, dest, "moves files into", ctx.workspace);
    if (w)
      out.push(
        w.risk === "dangerous"
          ? w
          : f(
              "review",
              cmd,
              `moves ${sources.map(shown).join(", ") || "files"} to ${shown(dest)}, replacing what is there`,
            ),
      );
  }
  return out.length > 0 ? out : [f("review", cmd, "moves files")];
};

export const copyLike =
  (verb: string): Rule =>
  (cmd, a, ctx) => {
    const ops = a.operands;
    const targetDir = value(a, "-t", "--target-directory");
    const dest = targetDir ?? (ops.length >= 2 ? ops[ops.length - 1] : undefined);
    const out: Finding[] = [];
    if (dest) {
      const w = writeFinding(cmd, dest, verb, ctx.workspace);
      if (w) out.push(w);
    }
    return out.length > 0 ? out : [f("review", cmd, `${verb} files`)];
  };

export const writesEachOperand =
  (verb: string, emptyIsSafe = false): Rule =>
  (cmd, a, ctx) => {
    const out: Finding[] = [];
    // `echo 'rm -rf /' | tee x.sh`: remember what tee writes so running x.sh later is judged.
    const isTee = programName(cmd.argv[0]) === "tee";
    const content = isTee ? upstreamOutput(cmd) : null;
    for (const t of a.operands) {
      const w = writeFinding(cmd, t, verb, ctx.workspace);
      if (w) out.push(w);
      if (t.literal !== null) rememberWritten(ctx, t.literal, content, isTee && has(a, "a", "--append"));
    }
    if (out.length === 0)
      out.push(emptyIsSafe ? f("safe", cmd, "only passes its input through") : f("review", cmd, `${verb} files`));
    return out;
  };

export const sed: Rule = (cmd, a, ctx) => {
  if (!has(a, "i", "--in-place")) return [f("safe", cmd, "only prints the edited text")];
  const files = has(a, "e", "--expression", "f", "--file") ? a.operands : a.operands.slice(1);
  return writesEachOperand("edits")(cmd, { ...a, operands: files }, ctx);
};

export const truncate: Rule = (cmd, a, ctx) => {
  const size = value(a, "-s", "--size")?.text;
  return writesEachOperand(size !== undefined && /^0+[KMGTPEZY]?i?B?$/i.test(size) ? "empties" : "changes the size of")(
    cmd,
    a,
    ctx,
  );
};

export const dd: Rule = (cmd, _a, ctx) => {
  const of = cmd.argv.find((w) => w.text.startsWith("of="));
  if (!of) return [f("review", cmd, "copies raw data")];
  const target = literalWord(of.text.slice(3));
  const w = writeFinding(
    cmd,
    { ...of, text: target.text, literal: of.literal?.slice(3) ?? null, pattern: of.pattern.slice(3) },
    "writes",
    ctx.workspace,
  );
  return [w ?? f("review", cmd, "copies raw data")];
};

export const disk: Rule = (cmd, a) => {
  const prog = programName(cmd.argv[0]);
  const listing =
    ((prog === "fdisk" || prog === "sfdisk" || prog === "gdisk") && has(a, "l", "--list", "d", "--dump")) ||
    (prog === "parted" && (has(a, "l", "--list") || a.texts.includes("print"))) ||
    (prog === "wipefs" && !has(a, "a", "--all", "o", "--offset"));
  if (listing) return [f("safe", cmd, "only lists partitions")];
  return [f("dangerous", cmd, `can erase disks or partitions (${prog})`)];
};

export const perms: Rule = (cmd, a) => {
  const prog = programName(cmd.argv[0]);
  const recursive = has(a, "R", "--recursive");
  const refMode = has(a, "--reference");
  const targets = refMode ? a.operands : a.operands.slice(1);
  const what =
    prog === "chmod"
      ? "changes permissions of"
      : prog === "chgrp"
        ? "changes the group of"
        : prog === "setfacl"
          ? "changes the access lists of"
          : "changes the owner of";
  const out: Finding[] = [];
  const mode = prog === "chmod" && !refMode ? a.operands[0] : undefined;
  const bits = mode ? specialBits(mode.text) : null;
  const names = targets.map(shown).join(", ") || "files";
  if (bits === "setuid")
    out.push(
      f(
        "dangerous",
        cmd,
        `sets the setuid bit on ${names}, so it runs with its owner's rights (root, if root owns it): a classic way to keep root access`,
      ),
    );
  else if (bits === "setgid")
    out.push(f("review", cmd, `sets the setgid bit on ${names}, so files run with (or are created in) its group`));
  for (const t of targets) {
    const c = classifyPath(t);
    // The current directory is the user's project: changing it recursively is a review, not a catastrophe.
    if (c === "root" || c === "system" || c === "device" || ((recursive || t.glob) && BROAD.has(c) && c !== "cwd")) {
      out.push(
        f(
          "dangerous",
          cmd,
          `${what} ${describeClass(c, shown(t))}${recursive ? " recursively" : ""}, which can break the system or lock you out`,
        ),
      );
    } else if (c !== "harmless-dev") {
      out.push(f("review", cmd, `${what} ${shown(t)}${recursive ? " recursively" : ""}`));
    }
  }
  return out.length > 0 ? out : [f("review", cmd, `${what} files`)];
};

/** `u+s`, `+s`, `4755`, `6755` → setuid; `g+s`, `2775` → setgid; else null. */
export function specialBits(mode: string): "setuid" | "setgid" | null {
  if (/^[0-7]{4,}$/.test(mode)) {
    const d = Number(mode[mode.length - 4]);
    return d & 4 ? "setuid" : d & 2 ? "setgid" : null;
  }
  let kind: "setuid" | "setgid" | null = null;
  for (const clause of mode.split(",")) {
    const [, who, bits] = /^([ugoa]*)[+=]([rwxXst]*)$/.exec(clause) ?? [];
    if (who === undefined || bits === undefined || !bits.includes("s")) continue;
    if (who === "" || /[ua]/.test(who)) return "setuid";
    if (who.includes("g")) kind = "setgid";
  }
  return kind;
}

export const tar: Rule = (cmd, a, ctx) => {
  const first = cmd.argv[1]?.text ?? "";
  const modes = has(a, "t", "--list") || /^[^-]*t/.test(first);
  if (modes && !has(a, "x", "c", "--extract", "--create")) return [f("safe", cmd, "only lists the archive")];
  // `tar -cf /dev/sda .`: the archive is written over whatever -f names, a disk included.
  // Old-style `tar cf ARCHIVE …` takes the archive as the next word.
  const archive =
    value(a, "-f", "--file") ??
    (/^[a-zA-Z]*f[a-zA-Z]*$/.test(first) && !first.startsWith("-") ? cmd.argv[2] : undefined);
  if (archive && (has(a, "c", "r", "u", "--create", "--append", "--update") || /^[^-]*[cru]/.test(first))) {
    const w = writeFinding(cmd, archive, "writes the archive over", ctx.workspace);
    if (w && w.risk === "dangerous") return [w];
  }
  const dir = value(a, "-C", "--directory");
  if (dir && (has(a, "x", "--extract") || /^[^-]*x/.test(first))) {
    const w = writeFinding(cmd, dir, "extracts files into", ctx.workspace);
    if (w) return [w];
  }
  return [f("review", cmd, "creates or extracts an archive, which writes files")];
};

export const sort: Rule = (cmd, a, ctx) => {
  const o = value(a, "-o", "--output");
  if (o) return [writeFinding(cmd, o, "writes", ctx.workspace) ?? f("review", cmd, "writes a file")];
  return [f("safe", cmd, "only prints sorted text")];
};
