/** Deleting, moving, copying, writing files; permissions; disks and partitions. */
import { programName, findRoots, FIND_NARROWING } from "../wrappers";
import { BROAD, classifyPath, describeClass } from "../paths";
import { has, value } from "../args";
import { f, shown, literalWord, pathFindings, rememberWritten, upstreamOutput, writeFinding, inputWords, type Finding, type Rule } from "./finding";

export const rm: Rule = (cmd, a) => {
  const recursive = has(a, "r", "R", "--recursive");
  const fromInput = inputWords(cmd, literalWord);
  const targets = [...a.operands, ...(fromInput ?? [])];
  const out: Finding[] = [];
  if (has(a, "--no-preserve-root")) out.push(f("dangerous", cmd, "uses --no-preserve-root, which turns off the protection of /"));
  out.push(...pathFindings(cmd, targets, "deletes", recursive));
  if (cmd.argsFromInput && fromInput === null) out.push(f("review", cmd, `${recursive ? "recursively " : ""}deletes paths read from its input`));
  if (out.length === 0) out.push(f("review", cmd, "deletes files"));
  return out;
};

export const shred: Rule = (cmd, a) => [f("dangerous", cmd, `overwrites ${a.operands.map(shown).join(", ") || "files"} so the data can never be recovered`)];

export const find: Rule = (cmd, a) => {
  const roots = findRoots(cmd.argv);
  const rootWords = roots.length > 0 ? roots : [literalWord(".")];
  const narrowed = cmd.argv.some((w) => FIND_NARROWING.has(w.text));
  const texts = a.texts;
  const deletes = texts.includes("-delete");
  const execs = cmd.argv.filter((w) => ["-exec", "-execdir", "-ok", "-okdir"].includes(w.text)).length > 0;
  const out: Finding[] = [];
  if (deletes) {
    for (const r of rootWords) {
      const c = classifyPath(r);
      const wide = c === "root" || c === "system" || c === "top" || (BROAD.has(c) && !narrowed);
      out.push(wide
        ? f("dangerous", cmd, narrowed ? `deletes matching files all over ${describeClass(c, shown(r))}` : `deletes ${describeClass(c, shown(r))}`)
        : f("review", cmd, `deletes the files it finds under ${r.text === "." ? "the current directory" : shown(r)}`));
    }
  }
  if (execs) {
    const execProg = cmd.argv[cmd.argv.findIndex((w) => ["-exec", "-execdir", "-ok", "-okdir"].includes(w.text)) + 1];
    const destructive = ["rm", "shred", "unlink", "chmod", "chown", "chgrp", "mv", "truncate", "dd"].includes(programName(execProg));
    for (const r of rootWords) {
      const c = classifyPath(r);
      if (destructive && (c === "root" || c === "system")) out.push(f("dangerous", cmd, `runs ${programName(execProg)} on files all over ${describeClass(c, shown(r))}`));
    }
    // The -exec command itself is judged as its own part (see wrappers.ts).
  }
  if (texts.some((t) => ["-fprint", "-fprint0", "-fprintf", "-fls"].includes(t))) out.push(f("review", cmd, "writes its results to a file"));
  if (out.length === 0 && !execs) out.push(f("safe", cmd, "only searches"));
  return out;
};

export const mv: Rule = (cmd, a) => {
  const ops = a.operands;
  const targetDir = value(a, "-t", "--target-directory");
  const dest = targetDir ?? ops[ops.length - 1];
  const sources = targetDir ? ops : ops.slice(0, -1);
  const out: Finding[] = [];
  if (dest && /^\/dev\/null\/?$/.test(dest.literal ?? "")) return [f("dangerous", cmd, "moves files onto /dev/null, which destroys them (and can break /dev/null itself)")];
  for (const s of sources) {
    const c = classifyPath(s);
    if (BROAD.has(c) && c !== "var-root") out.push(f("dangerous", cmd, `moves ${describeClass(c, shown(s))} away`));
  }
  if (dest) {
    const w = writeFinding(cmd, dest, "moves files into");
    if (w) out.push(w.risk === "dangerous" ? w : f("review", cmd, `moves ${sources.map(shown).join(", ") || "files"} to ${shown(dest)}, replacing what is there`));
  }
  return out.length > 0 ? out : [f("review", cmd, "moves files")];
};

export const copyLike = (verb: string): Rule => (cmd, a) => {
  const ops = a.operands;
  const targetDir = value(a, "-t", "--target-directory");
  const dest = targetDir ?? (ops.length >= 2 ? ops[ops.length - 1] : undefined);
  const out: Finding[] = [];
  if (dest) {
    const w = writeFinding(cmd, dest, verb);
    if (w) out.push(w);
  }
  return out.length > 0 ? out : [f("review", cmd, `${verb} files`)];
};

export const writesEachOperand = (verb: string, emptyIsSafe = false): Rule => (cmd, a, ctx) => {
  const out: Finding[] = [];
  // `echo 'rm -rf /' | tee x.sh`: remember what tee writes so running x.sh later is judged.
  const isTee = programName(cmd.argv[0]) === "tee";
  const content = isTee ? upstreamOutput(cmd) : null;
  for (const t of a.operands) {
    const w = writeFinding(cmd, t, verb);
    if (w) out.push(w);
    if (t.literal !== null) rememberWritten(ctx, t.literal, content, isTee && has(a, "a", "--append"));
  }
  if (out.length === 0) out.push(emptyIsSafe ? f("safe", cmd, "only passes its input through") : f("review", cmd, `${verb} files`));
  return out;
};

export const sed: Rule = (cmd, a, ctx) => {
  if (!has(a, "i", "--in-place")) return [f("safe", cmd, "only prints the edited text")];
  const files = has(a, "e", "--expression", "f", "--file") ? a.operands : a.operands.slice(1);
  return writesEachOperand("edits")(cmd, { ...a, operands: files }, ctx);
};

export const truncate: Rule = (cmd, a, ctx) => writesEachOperand("truncates (empties)")(cmd, a, ctx);

export const dd: Rule = (cmd) => {
  const of = cmd.argv.find((w) => w.text.startsWith("of="));
  if (!of) return [f("review", cmd, "copies raw data")];
  const target = literalWord(of.text.slice(3));
  const w = writeFinding(cmd, { ...of, text: target.text, literal: of.literal?.slice(3) ?? null, pattern: of.pattern.slice(3) }, "writes");
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
  const what = prog === "chmod" ? "changes permissions of" : prog === "chgrp" ? "changes the group of" : prog === "setfacl" ? "changes the access lists of" : "changes the owner of";
  const out: Finding[] = [];
  for (const t of targets) {
    const c = classifyPath(t);
    // The current directory is the user's project: changing it recursively is a review, not a catastrophe.
    if (c === "root" || c === "system" || c === "device" || ((recursive || t.glob) && BROAD.has(c) && c !== "cwd")) {
      out.push(f("dangerous", cmd, `${what} ${describeClass(c, shown(t))}${recursive ? " recursively" : ""}, which can break the system or lock you out`));
    } else if (c !== "harmless-dev") {
      out.push(f("review", cmd, `${what} ${shown(t)}${recursive ? " recursively" : ""}`));
    }
  }
  return out.length > 0 ? out : [f("review", cmd, `${what} files`)];
};

export const tar: Rule = (cmd, a) => {
  const first = cmd.argv[1]?.text ?? "";
  const modes = has(a, "t", "--list") || /^[^-]*t/.test(first);
  if (modes && !has(a, "x", "c", "--extract", "--create")) return [f("safe", cmd, "only lists the archive")];
  const dir = value(a, "-C", "--directory");
  if (dir && (has(a, "x", "--extract") || /^[^-]*x/.test(first))) {
    const w = writeFinding(cmd, dir, "extracts files into");
    if (w) return [w];
  }
  return [f("review", cmd, "creates or extracts an archive, which writes files")];
};

export const sort: Rule = (cmd, a) => {
  const o = value(a, "-o", "--output");
  if (o) return [writeFinding(cmd, o, "writes") ?? f("review", cmd, "writes a file")];
  return [f("safe", cmd, "only prints sorted text")];
};
