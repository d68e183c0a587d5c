/**
 * The command text in a model's answer, read leniently: the contents of a code fence, or
 * the bare command line(s) among prose. Nothing here decides what may run — the text found
 * goes to validate.ts whole, so a fence with two lines is refused there as two commands,
 * and a non-docker line is refused there as a non-docker program. Prose outside a fence is
 * never taken as a command.
 */

export type AnswerRead = { text: string } | { error: string };

const MAX_ANSWER_CHARS = 8_000;
const DOCKER_LINE = /^\s*(?:\$\s+|>\s+)?`?\s*docker(\s|$)/;

function fenceBlocks(answer: string): string[][] {
  const blocks: string[][] = [];
  let cur: string[] | null = null;
  let fence = "";
  for (const line of answer.split(/\r?\n/)) {
    const open = /^\s*(`{3,}|~{3,})\s*[\w+-]*\s*$/.exec(line)?.[1];
    if (cur === null && open !== undefined) {
      cur = [];
      fence = open;
      continue;
    }
    if (cur !== null && line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, "") === "") {
      blocks.push(cur);
      cur = null;
      continue;
    }
    if (cur) cur.push(line);
  }
  if (cur) blocks.push(cur); // cut-off answer: an unterminated final fence
  return blocks;
}

/** `$ docker ps` / `` `docker ps` `` → `docker ps`. */
function cleanLine(line: string): string {
  let t = line.trim().replace(/^(\$|>)\s+/, "");
  const span = /^`([^`]+)`[.:]?$/.exec(t)?.[1];
  if (span !== undefined) t = span.trim();
  return t;
}

export function readAnswer(raw: string): AnswerRead {
  const answer = raw.replace(/^\uFEFF/, "").trim();
  if (answer === "") return { error: "The model returned an empty answer." };
  if (answer.length > MAX_ANSWER_CHARS)
    return { error: `The model's answer is longer than ${MAX_ANSWER_CHARS} characters.` };

  const blocks = fenceBlocks(answer).map((b) => b.map(cleanLine).filter((l) => l !== "" && !/^#(?!!)/.test(l)));
  const filled = blocks.filter((b) => b.length > 0);
  if (filled.length > 0) {
    // Several fences are several commands: keep them all so validation refuses the lot.
    return { text: filled.map((b) => b.join("\n")).join("\n") };
  }
  if (blocks.length > 0) return { error: "The model returned an empty code block." };

  const lines = answer.split(/\r?\n/).filter((l) => l.trim() !== "");
  const [only, ...others] = lines;
  if (only !== undefined && others.length === 0) return { text: cleanLine(only) };
  const docker = lines.filter((l) => DOCKER_LINE.test(l)).map(cleanLine);
  if (docker.length > 0) return { text: docker.join("\n") };
  // "Run `docker logs app` to see it.": a code span that is a docker command.
  const spans = [...answer.matchAll(/`([^`\n]+)`/g)]
    .map(([, span = ""]) => span.trim())
    .filter((s) => /^docker(\s|$)/.test(s));
  const distinct = [...new Set(spans)];
  if (distinct.length > 0) return { text: distinct.join("\n") };
  return { error: "The model's answer contains no docker command." };
}
