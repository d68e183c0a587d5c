/**
 * /v1/* for the local provider: an OpenAI client's request read into our generation options, and
 * the answer written back in OpenAI's own shapes (SSE chunks, or one JSON object), so tools pointed
 * at the backend cannot tell the model runs in-process.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { AppError } from "../errors";
import type { GenerateOptions, LocalChatMessage } from "./runtime";

const stop = z.union([z.string().max(200), z.array(z.string().max(200)).max(8)]).nullish();
const common = {
  max_tokens: z.number().int().min(1).max(32768).nullish(),
  max_completion_tokens: z.number().int().min(1).max(32768).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  stop,
};
const content = z.union([
  z.string().max(2_000_000),
  z.array(z.object({ type: z.string(), text: z.string().max(2_000_000).optional() })).max(200),
]);
const ChatBody = z.object({
  ...common,
  messages: z
    .array(z.object({ role: z.enum(["system", "developer", "user", "assistant"]), content: content.nullish() }))
    .min(1)
    .max(500),
});
const CompletionBody = z.object({
  ...common,
  prompt: z.union([z.string().max(2_000_000), z.array(z.string().max(2_000_000)).length(1)]),
  suffix: z.string().max(2_000_000).nullish(),
});

function invalid(err: z.ZodError): AppError {
  const i = err.issues[0];
  return new AppError("BAD_REQUEST", `Invalid request: ${i?.path.join(".") || "body"}: ${i?.message ?? "invalid"}.`);
}

function options(b: z.infer<typeof ChatBody> | z.infer<typeof CompletionBody>): GenerateOptions {
  const max = b.max_completion_tokens ?? b.max_tokens;
  const s = b.stop == null ? [] : typeof b.stop === "string" ? [b.stop] : b.stop;
  return {
    ...(max != null ? { maxTokens: max } : {}),
    ...(b.temperature != null ? { temperature: b.temperature } : {}),
    ...(s.length > 0 ? { stop: s } : {}),
  };
}

export function readChatBody(body: unknown): { messages: LocalChatMessage[]; opts: GenerateOptions } {
  const parsed = ChatBody.safeParse(body);
  if (!parsed.success) throw invalid(parsed.error);
  const messages = parsed.data.messages.map((m) => ({
    role: m.role === "developer" ? ("system" as const) : m.role,
    content:
      typeof m.content === "string"
        ? m.content
        : (m.content ?? []).map((p) => (p.type === "text" ? (p.text ?? "") : "")).join(""),
  }));
  return { messages, opts: options(parsed.data) };
}

export function readCompletionBody(body: unknown): { prompt: string; suffix?: string; opts: GenerateOptions } {
  const parsed = CompletionBody.safeParse(body);
  if (!parsed.success) throw invalid(parsed.error);
  const b = parsed.data;
  const prompt = typeof b.prompt === "string" ? b.prompt : (b.prompt[0] ?? "");
  return { prompt, ...(b.suffix != null ? { suffix: b.suffix } : {}), opts: options(b) };
}

export type Kind = "chat" | "completion";

/** Builds the chunks and final objects of one answer. */
export class OpenAiShaper {
  readonly id: string;
  private readonly created = Math.floor(Date.now() / 1000);
  constructor(
    private readonly kind: Kind,
    private readonly model: string,
  ) {
    this.id = `${kind === "chat" ? "chatcmpl" : "cmpl"}-local-${randomBytes(9).toString("hex")}`;
  }

  private head(): Record<string, unknown> {
    return {
      id: this.id,
      object: this.kind === "chat" ? "chat.completion.chunk" : "text_completion",
      created: this.created,
      model: this.model,
    };
  }

  chunk(text: string, first: boolean): Record<string, unknown> {
    const choice =
      this.kind === "chat"
        ? { index: 0, delta: first ? { role: "assistant", content: text } : { content: text }, finish_reason: null }
        : { index: 0, text, logprobs: null, finish_reason: null };
    return { ...this.head(), choices: [choice] };
  }

  last(): Record<string, unknown> {
    const choice =
      this.kind === "chat"
        ? { index: 0, delta: {}, finish_reason: "stop" }
        : { index: 0, text: "", logprobs: null, finish_reason: "stop" };
    return { ...this.head(), choices: [choice] };
  }

  whole(text: string): Record<string, unknown> {
    const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    if (this.kind === "chat")
      return {
        id: this.id,
        object: "chat.completion",
        created: this.created,
        model: this.model,
        choices: [{ index: 0, message: { role: "assistant", content: text }, logprobs: null, finish_reason: "stop" }],
        usage,
      };
    return {
      id: this.id,
      object: "text_completion",
      created: this.created,
      model: this.model,
      choices: [{ index: 0, text, logprobs: null, finish_reason: "stop" }],
      usage,
    };
  }
}

export function sseFrame(json: Record<string, unknown>): Uint8Array {
  return Buffer.from(`data: ${JSON.stringify(json)}\n\n`);
}
export const DONE_FRAME = Buffer.from("data: [DONE]\n\n");
