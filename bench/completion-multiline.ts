/**
 * Multi-line completions in a typing session. Run: `node --import tsx bench/completion-multiline.ts`
 *
 * The typing session of bench/completion.ts (bench/lib/typing.ts: human-speed keystrokes through an emulation of
 * VS Code's provider calls into the extension's own CompletionDecisions and the real backend),
 * with a model that writes on like a real one: at every request the scripted model (an
 * oracle for the text being typed) answers with the rest of the line and the next three
 * lines, and every third answer is wrong. Each suggestion shown is classified the moment it
 * arrives: accepted when the user goes on to type exactly it (they would press Tab),
 * rejected otherwise. Three files: TypeScript and Python code with `for` loops, a getter,
 * finished statements, and functions ending in the middle of the file.
 *
 * `--no-write`: print only. The figures of the backend before the multi-line work come from
 * the same file run in a checkout of the commit before it (see bench/RESULTS.md).
 */
import { loadavg } from "node:os";
import { startScriptedAI, type RecordedRequest } from "../test/fixtures/scripted-ai";
import { providerEnv, startBackend, type Backend } from "../test/integration/helpers/backend";
import type { CompletionRequest, CompletionResponse } from "../server/api/completion";
import { CompletionDecisions } from "../extension/completion/decisions";
import { Token, tokenSleep, typeLikeVsCode } from "./lib/typing";

const MODEL = "qwen2.5-coder:1.5b-base";

const FILES: { path: string; languageId: string; text: string }[] = [
  {
    path: "/bench/cart.ts",
    languageId: "typescript",
    text: `export class Cart {
  private items: Item[] = [];

  add(item: Item): void {
    this.items.push(item);
    this.changed = true;
  }

  get total(): number {
    let sum = 0;
    for (const item of this.items) {
      sum += item.price * item.quantity;
    }
    return sum;
  }
}

export function emptyCart(): Cart {
  return new Cart();
}
`,
  },
  {
    path: "/bench/report.py",
    languageId: "python",
    text: `def summarize(orders):
    total = 0
    for order in orders:
        total += order.amount
        print(order.id, order.amount)
    average = total / len(orders)
    return total, average


def main():
    orders = load_orders("orders.csv")
    total, average = summarize(orders)
    print(total, average)
`,
  },
  {
    path: "/bench/config.ts",
    languageId: "typescript",
    text: `import { readFile } from "node:fs/promises";

export async function loadConfig(path: string): Promise<Config> {
  const text = await readFile(path, "utf8");
  const raw = JSON.parse(text) as Partial<Config>;
  return { port: raw.port ?? 8080, host: raw.host ?? "127.0.0.1" };
}
`,
  },
];

function fimParts(req: RecordedRequest): { prefix: string; suffix: string } | null {
  const prompt = (req.body as { prompt?: unknown } | undefined)?.prompt;
  if (typeof prompt !== "string") return null;
  const m = /<\|fim_prefix\|>([\s\S]*)<\|fim_suffix\|>([\s\S]*)<\|fim_middle\|>/.exec(prompt);
  return m ? { prefix: m[1]!, suffix: m[2]! } : null;
}

interface Tally {
  keystrokes: number;
  modelRequests: number;
  shown: number;
  shownMultiLine: number;
  accepted: number;
  acceptedMultiLine: number;
  acceptedChars: number;
  rejected: number;
  rejectedMultiLine: number;
  /** Prefixes whose suggestion the user accepted, and whether it was multi-line. */
  acceptedAt: Map<string, boolean>;
}

async function session(
  backend: Backend,
  file: (typeof FILES)[number],
  seed: number,
  multiline: CompletionRequest["multiline"],
  tally: Tally,
): Promise<void> {
  const auth = `Bearer ${backend.token}`;
  // Its own path per mode: the backend's completion cache must not serve one run's answers to the other.
  const path = file.path.replace(/^\/bench\//, `/bench/${multiline}/`);
  const docId = `file://${path}`;
  const decisions = new CompletionDecisions();

  const provide = async (prefix: string, tok: Token): Promise<void> => {
    const d = decisions.call(docId, prefix, true, Date.now());
    if (d.kind === "typethrough") return;
    const ticket = d.ticket;
    tok.onCancel(() => ticket.cancel());
    try {
      await tokenSleep(d.waitMs, tok);
      if (tok.cancelled) return;
      const body: CompletionRequest = {
        filepath: path,
        languageId: file.languageId,
        prefix,
        // The editor keeps the file's last newline after the cursor.
        suffix: "\n",
        documentId: docId,
        multiline,
      };
      let r: CompletionResponse;
      try {
        const res = await fetch(`${backend.url}/api/complete`, {
          method: "POST",
          headers: { authorization: auth, "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: ticket.signal,
        });
        r = (await res.json()) as CompletionResponse;
      } catch {
        return;
      }
      if (r.completion === null || tok.cancelled) return;
      decisions.answered(docId, prefix, {
        id: r.id,
        completion: r.completion,
        replaceSuffixChars: r.replaceSuffixChars,
      });
      const multi = r.completion.includes("\n");
      tally.shown++;
      if (multi) tally.shownMultiLine++;
      const rest = file.text.slice(prefix.length);
      if (r.replaceSuffixChars === 0 && rest.startsWith(r.completion)) {
        tally.accepted++;
        tally.acceptedChars += r.completion.length;
        tally.acceptedAt.set(`${file.path}\0${prefix}`, multi);
        if (multi) tally.acceptedMultiLine++;
      } else {
        tally.rejected++;
        if (multi) tally.rejectedMultiLine++;
      }
    } finally {
      ticket.done();
    }
  };

  await typeLikeVsCode({
    text: file.text,
    seed,
    onKeystroke: (_prefix, now) => {
      tally.keystrokes++;
      decisions.typed(now);
    },
    provide,
  });
}

interface PositionTally {
  positions: number;
  multiLineAccepted: number;
  singleLineAccepted: number;
  shownWrong: number;
  nothing: number;
}

/**
 * Deterministic part: one request at every line end and at every line start after the
 * indentation (where a user pauses), no timing involved. `right`: the oracle answers with the
 * rest of the line and the next three; `wrong`: it answers two wrong lines — whatever is
 * shown then would be rejected.
 */
async function positions(backend: Backend, ai: Awaited<ReturnType<typeof startScriptedAI>>, right: boolean) {
  const t: PositionTally = { positions: 0, multiLineAccepted: 0, singleLineAccepted: 0, shownWrong: 0, nothing: 0 };
  let n = 0;
  for (const file of FILES) {
    ai.reset();
    ai.setDefault({
      echo: (req) => {
        const parts = fimParts(req);
        if (!parts || !file.text.startsWith(parts.prefix)) return "";
        if (!right) return "wrongGuess();\nmoreWrong();";
        return file.text.slice(parts.prefix.length).split("\n").slice(0, 4).join("\n");
      },
    });
    const stops = new Set<number>();
    for (let i = 0; i < file.text.length; i++) {
      if (file.text[i] === "\n" && i > 0 && file.text[i - 1] !== "\n") stops.add(i);
      if (i > 0 && file.text[i - 1] === "\n" && file.text[i] === " ") stops.add(file.text.slice(i).search(/\S/) + i);
    }
    for (const at of [...stops].sort((a, b) => a - b)) {
      const prefix = file.text.slice(0, at);
      const body: CompletionRequest = {
        filepath: `${file.path}.${right ? "r" : "w"}${n++}`,
        languageId: file.languageId,
        prefix,
        suffix: "\n",
      };
      const r = await backend.call<CompletionResponse>("POST", "/api/complete", body);
      t.positions++;
      const c = r.body.completion;
      if (c === null) t.nothing++;
      else if (!right) t.shownWrong++;
      else if (file.text.slice(at).startsWith(c)) {
        if (c.includes("\n")) t.multiLineAccepted++;
        else t.singleLineAccepted++;
      } else t.shownWrong++;
    }
  }
  return t;
}

async function main(): Promise<void> {
  const ai = await startScriptedAI();
  const backend = await startBackend({
    env: { ...providerEnv(ai.url, { AICOCKPIT_LLM_MODEL: MODEL }), AICOCKPIT_LOG_LEVEL: "warn" },
  });
  const loadBefore = loadavg()[0]!;
  try {
    const newTally = (): Tally => ({
      keystrokes: 0,
      modelRequests: 0,
      shown: 0,
      shownMultiLine: 0,
      accepted: 0,
      acceptedMultiLine: 0,
      acceptedChars: 0,
      rejected: 0,
      rejectedMultiLine: 0,
      acceptedAt: new Map(),
    });
    // The same sessions twice: single-line only (what the user got at these positions before
    // multi-line completions were attempted there), then the backend's `auto` decisions.
    const runs: Record<"single" | "auto", Tally> = { single: newTally(), auto: newTally() };
    for (const mode of ["single", "auto"] as const) {
      const tally = runs[mode];
      for (const [n, file] of FILES.entries()) {
        let answers = 0;
        ai.reset();
        ai.setDefault({
          latencyMs: 250,
          chunkDelayMs: 15,
          echo: (req) => {
            const parts = fimParts(req);
            answers++;
            if (!parts || !file.text.startsWith(parts.prefix)) return "";
            if (answers % 3 === 0) return "wrongGuess();\nmoreWrong();";
            // A model writes on: the rest of this line and the next three.
            const rest = file.text.slice(parts.prefix.length);
            return rest.split("\n").slice(0, 4).join("\n");
          },
        });
        await session(backend, file, 42 + n, mode === "single" ? "never" : "auto", tally);
        tally.modelRequests += ai.completionRequests().length;
      }
    }
    const { single, auto } = runs;
    // Positions where the single-line run had a suggestion accepted and the auto run a multi-line one.
    let upgraded = 0;
    for (const [at, multi] of auto.acceptedAt) if (multi && single.acceptedAt.get(at) === false) upgraded++;
    const { acceptedAt: _a, ...typing } = auto;
    const { acceptedAt: _s, ...typingSingle } = single;
    console.log(
      `multi-line accepted: ${auto.acceptedMultiLine} (single-line run: 0); at positions where the single-line run's suggestion was accepted: ${upgraded}; ` +
        `accepted characters ${single.acceptedChars} → ${auto.acceptedChars}; rejected ${single.rejected} → ${auto.rejected}`,
    );
    const right = await positions(backend, ai, true);
    const wrong = await positions(backend, ai, false);
    const load = ((loadBefore + loadavg()[0]!) / 2).toFixed(2);
    console.log(
      JSON.stringify(
        { typing, typingSingleLine: typingSingle, positionsRightModel: right, positionsWrongModel: wrong, load },
        null,
        2,
      ),
    );
    if (auto.rejected > single.rejected || auto.acceptedMultiLine === 0) process.exitCode = 1;
  } finally {
    await backend.stop();
    await ai.close();
  }
}

void main();
