/**
 * One streamed model call with tools over the OpenAI-compatible API (through the LLM service's
 * raw pass-through, so retries, limits, proxies and keys are the service's). Text deltas are
 * handed out as they arrive; tool calls are assembled from their fragments by `index`. The
 * service is untrusted: a tool call without a name or with arguments that are not a JSON
 * object becomes an error the model is told about, never a crash.
 */
import type { LlmService } from "../../llm/service";
import { readSse } from "../../llm/sse-reader";
import { BadResponse } from "../../llm/errors";
import { AppError } from "../../errors";

export interface WireMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string | null;
  tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface ToolCall {
  id: string;
  name: string;
  /** Raw JSON text as sent. */
  arguments: string;
}

export interface ModelTurn {
  text: string;
  toolCalls: ToolCall[];
  /** Reported by the service (stream_options.include_usage) or estimated at 4 characters a token. */
  tokens: number;
}

const MAX_TOOL_CALLS = 16;
const MAX_ARG_CHARS = 256 * 1024;

export async function modelTurn(
  llm: LlmService,
  req: { messages: WireMessage[]; tools: unknown[]; model?: string; providerId?: string },
  onText: (t: string) => void,
  signal: AbortSignal,
): Promise<ModelTurn> {
  const body: Record<string, unknown> = {
    messages: req.messages,
    tools: req.tools,
    tool_choice: "auto",
    stream: true,
    stream_options: { include_usage: true },
    temperature: 0,
    ...(req.model ? { model: req.model } : {}),
  };
  const raw = llm.forwardRaw("/chat/completions", body, req.providerId, signal);
  const bytes = (async function* () {
    for await (const c of raw) yield c.bytes;
  })();
  let text = "";
  let usage: number | undefined;
  const calls: { id: string; name: string; arguments: string }[] = [];
  try {
    for await (const ev of readSse(bytes)) {
      if (ev.done || !ev.json) continue;
      const u = ev.json.usage as { total_tokens?: unknown } | null | undefined;
      if (u && typeof u.total_tokens === "number") usage = u.total_tokens;
      const choices = ev.json.choices;
      if (!Array.isArray(choices)) continue;
      const delta = (choices[0] as { delta?: Record<string, unknown> } | undefined)?.delta;
      if (!delta) continue;
      if (typeof delta.content === "string" && delta.content !== "") {
        text += delta.content;
        onText(delta.content);
      }
      if (!Array.isArray(delta.tool_calls)) continue;
      for (const tc of delta.tool_calls as Record<string, unknown>[]) {
        const index = typeof tc.index === "number" ? tc.index : calls.length;
        if (index < 0 || index >= MAX_TOOL_CALLS) continue;
        const slot = (calls[index] ??= { id: "", name: "", arguments: "" });
        if (typeof tc.id === "string") slot.id = tc.id;
        const f = tc.function as { name?: unknown; arguments?: unknown } | undefined;
        if (typeof f?.name === "string") slot.name += f.name;
        if (typeof f?.arguments === "string" && slot.arguments.length < MAX_ARG_CHARS) slot.arguments += f.arguments;
      }
    }
  } catch (e) {
    if (e instanceof BadResponse)
      throw new AppError("PROVIDER_BAD_RESPONSE", `The AI service sent a malformed stream: ${e.message}.`);
    throw e;
  }
  const toolCalls = calls
    .filter((c) => c !== undefined)
    .map((c, i) => ({ id: c.id || `call_${i}`, name: c.name, arguments: c.arguments }));
  const chars =
    JSON.stringify(req.messages).length + text.length + toolCalls.reduce((n, c) => n + c.arguments.length, 0);
  return { text, toolCalls, tokens: usage ?? Math.ceil(chars / 4) };
}
