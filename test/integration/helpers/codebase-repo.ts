/**
 * A generated repository for the @codebase suites: a few hundred ordinary files, two that
 * together implement one behaviour (a declined card payment is retried with a growing wait),
 * a decoy that only talks about payments, and files that must never be indexed (ignored by
 * .gitignore / .aicockpitignore, secret by name or content), all marked with FORBIDDEN.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pack } from "tar-stream";

/** Appears only in files that must never be indexed, read or sent. */
export const FORBIDDEN = "ZEBRACORN";
export const CHARGE_FILE = "src/billing/charge-card.ts";
export const BACKOFF_FILE = "src/jobs/backoff-queue.ts";
export const CHARGE_MARKER = "MARKER_CHARGE_7f3a";
export const BACKOFF_MARKER = "MARKER_BACKOFF_c41d";
/** Names the behaviour, not a file. */
export const BEHAVIOUR_QUESTION =
  "When the bank declines a customer's card payment, how many times do we retry it and how long do we wait between attempts?";

const TOPICS = [
  "inventory",
  "shipment",
  "catalog",
  "profile",
  "avatar",
  "report",
  "chart",
  "theme",
  "locale",
  "sitemap",
  "widget",
  "search",
  "newsletter",
  "template",
  "gallery",
  "calendar",
];
const VERBS = ["format", "parse", "render", "sort", "group", "merge", "filter", "count"];
const NOUNS = ["label", "title", "entry", "column", "badge", "header", "footer", "summary"];

function filler(topic: string, n: number): string {
  const lines = [`// ${topic} helpers, part ${n}.`, `import { clamp } from "../shared/math";`, ""];
  for (let k = 0; k < 3; k++) {
    const verb = VERBS[(n + k) % VERBS.length]!;
    const noun = NOUNS[(n * 3 + k) % NOUNS.length]!;
    const name = `${verb}${cap(topic)}${cap(noun)}${n}`;
    lines.push(
      `/** ${cap(verb)}s the ${noun} of a ${topic} item for display. */`,
      `export function ${name}(items: string[], width: number): string {`,
      `  const picked = items.filter((s) => s.length > 0).slice(0, clamp(width, 1, 40));`,
      `  return picked.map((s, i) => \`\${i + 1}. \${s}\`).join("\\n");`,
      `}`,
      "",
    );
  }
  return lines.join("\n");
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function generateRepo(fileCount = 320): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    "src/shared/math.ts",
    "export function clamp(v: number, lo: number, hi: number): number {\n  return Math.min(hi, Math.max(lo, v));\n}\n",
  );
  for (let i = 0; files.size < fileCount; i++) {
    const topic = TOPICS[i % TOPICS.length]!;
    files.set(`src/${topic}/${topic}-${Math.floor(i / TOPICS.length)}.ts`, filler(topic, i));
  }
  files.set(
    CHARGE_FILE,
    [
      `// Charging a customer's card. When the bank declines the payment we do not give up at once:`,
      `// the charge is handed to the retry queue, which tries again after a wait.`,
      `import { scheduleRetry } from "../jobs/backoff-queue";`,
      `import type { Card, Gateway } from "./types";`,
      ``,
      `export const CHARGE_TAG = "${CHARGE_MARKER}";`,
      ``,
      `export async function chargeCard(gateway: Gateway, card: Card, amountCents: number, attempt = 1) {`,
      `  const result = await gateway.charge(card, amountCents);`,
      `  if (result.status === "declined") {`,
      `    return scheduleRetry(() => chargeCard(gateway, card, amountCents, attempt + 1), attempt);`,
      `  }`,
      `  return result;`,
      `}`,
      ``,
    ].join("\n"),
  );
  files.set(BACKOFF_FILE, backoffFile(1500));
  files.set(
    "src/billing/types.ts",
    "export interface Card { number: string }\nexport interface Gateway { charge(card: Card, cents: number): Promise<{ status: string }> }\n",
  );
  // A decoy: about payments, but neither retries nor waits.
  files.set(
    "src/report/payment-totals.ts",
    "// Sums the payments of a month for the finance report.\nexport function paymentTotals(cents: number[]): number {\n  return cents.reduce((a, b) => a + b, 0);\n}\n",
  );
  // Never to be indexed:
  files.set(".gitignore", "logs/\n*.tmp\n");
  files.set(".aicockpitignore", "private/\n");
  files.set("logs/payment-retry.log", `${FORBIDDEN} declined card payment retry wait attempts\n`);
  files.set("scratch/notes.tmp", `${FORBIDDEN} retry the declined payment, wait between attempts\n`);
  files.set("private/retry-plan.md", `# ${FORBIDDEN} payment retry plan: wait between attempts when declined\n`);
  files.set(".env", `PAYMENT_RETRY_KEY=${FORBIDDEN}-sk-live-1234\n`);
  files.set(
    "deploy/id_rsa",
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${FORBIDDEN} payment retry\n-----END OPENSSH PRIVATE KEY-----\n`,
  );
  files.set(
    "config/innocent.txt",
    `retry payment declined wait attempts\n-----BEGIN RSA PRIVATE KEY-----\n${FORBIDDEN}\n-----END RSA PRIVATE KEY-----\n`,
  );
  return files;
}

export function backoffFile(baseWaitMs: number): string {
  return [
    `// The retry queue: failed work is tried again with exponential backoff. The wait doubles`,
    `// after each attempt, and after MAX_ATTEMPTS attempts the work is given up.`,
    `export const BACKOFF_TAG = "${BACKOFF_MARKER}";`,
    `export const BASE_WAIT_MS = ${baseWaitMs};`,
    `export const MAX_ATTEMPTS = 5;`,
    ``,
    `export function waitBeforeAttempt(attempt: number): number {`,
    `  return BASE_WAIT_MS * 2 ** (attempt - 1);`,
    `}`,
    ``,
    `export function scheduleRetry<T>(job: () => Promise<T>, attempt: number): Promise<T | undefined> {`,
    `  if (attempt >= MAX_ATTEMPTS) return Promise.resolve(undefined);`,
    `  return new Promise((resolve) => setTimeout(() => resolve(job()), waitBeforeAttempt(attempt)));`,
    `}`,
    ``,
  ].join("\n");
}

export function writeRepo(root: string, files: ReadonlyMap<string, string>): void {
  for (const [path, text] of files) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}

/** A file (or a symlink) to put into a container or onto an SSH host as one tar stream. */
export type Entry = { name: string; text?: string; linkTo?: string };

/** generateRepo(fileCount) as tar entries. */
export function repoEntries(fileCount: number): Entry[] {
  return [...generateRepo(fileCount)].map(([name, text]) => ({ name, text }));
}

export async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) {
    if (e.linkTo !== undefined) p.entry({ name: e.name, type: "symlink", linkname: e.linkTo });
    else p.entry({ name: e.name, mode: 0o644 }, e.text ?? "");
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
