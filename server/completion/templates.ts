/**
 * Prompt templates: one per FIM model family (special tokens differ per family), a
 * `suffix` template for services whose `/v1/completions` takes a `suffix` parameter and
 * apply the model's own FIM format, and a prompted hole-filling template for chat-only
 * models. The family is chosen from the model name; a request may name one explicitly
 * (user setting) because model names on local servers are arbitrary.
 */
import { asComment } from "./languages";
import type { PromptContext, Snippet } from "./context";
import { COMPLETION_TEMPLATE_NAMES, type CompletionTemplateName } from "../api/completion";

export const TEMPLATE_NAMES = COMPLETION_TEMPLATE_NAMES;
export type TemplateName = CompletionTemplateName;

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export type RenderedPrompt =
  | { kind: "completion"; template: TemplateName; prompt: string; suffix?: string; stop: string[] }
  | { kind: "chat"; template: TemplateName; messages: ChatMessage[]; stop: string[] };

export interface TemplateInput extends PromptContext {
  filepath: string;
  languageId: string;
  multiline: boolean;
}

/** Special tokens a model may leak into its output; the postprocessor cuts at any of them. */
export const FAMILY_STOPS: Record<TemplateName, string[]> = {
  starcoder: [
    "<fim_prefix>",
    "<fim_suffix>",
    "<fim_middle>",
    "<|endoftext|>",
    "<file_sep>",
    "<filename>",
    "<repo_name>",
  ],
  qwen: [
    "<|endoftext|>",
    "<|fim_prefix|>",
    "<|fim_suffix|>",
    "<|fim_middle|>",
    "<|fim_pad|>",
    "<|repo_name|>",
    "<|file_sep|>",
    "<|im_start|>",
    "<|im_end|>",
  ],
  deepseek: ["<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>", "<｜end▁of▁sentence｜>", "<|EOT|>"],
  codellama: ["<PRE>", "<SUF>", "<MID>", "<EOT>", " <EOT>"],
  codestral: ["[PREFIX]", "[SUFFIX]", "[MIDDLE]", "</s>"],
  codegemma: ["<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|file_separator|>", "<end_of_turn>", "<eos>"],
  suffix: [],
  chat: ["</COMPLETION>"],
};

/** Picks the template for a model name; anything unrecognised is treated as a chat model, the one API every service has. */
export function templateForModel(model: string): TemplateName {
  const m = model.toLowerCase();
  if (m.includes("codestral")) return "codestral";
  if (/qwen[^/]*coder/.test(m)) return "qwen";
  if (/deepseek[^/]*coder/.test(m)) return "deepseek";
  if (/code-?llama/.test(m)) return "codellama";
  if (m.includes("codegemma")) return "codegemma";
  if (/starcoder|santacoder|stable-code|refact/.test(m)) return "starcoder";
  if (/gpt-3\.5-turbo-instruct|davinci-002|babbage-002/.test(m)) return "suffix";
  return "chat";
}

function snippetsAsComments(snippets: readonly Snippet[], languageId: string): string {
  if (snippets.length === 0) return "";
  return snippets.map((s) => asComment(`Path: ${s.filepath}\n${s.content}`, languageId)).join("\n") + "\n";
}

export function renderPrompt(name: TemplateName, input: TemplateInput): RenderedPrompt {
  const { prefix, suffix, snippets, languageId, filepath } = input;
  const ctx = snippetsAsComments(snippets, languageId);
  const stop = [...FAMILY_STOPS[name]];
  switch (name) {
    case "starcoder":
      return {
        kind: "completion",
        template: name,
        prompt: `<fim_prefix>${ctx}${prefix}<fim_suffix>${suffix}<fim_middle>`,
        stop,
      };
    case "qwen": {
      // Qwen2.5-Coder's repository format: other files under <|file_sep|>, then the current file.
      const repo =
        snippets.length === 0
          ? ""
          : `<|repo_name|>workspace\n${snippets.map((s) => `<|file_sep|>${s.filepath}\n${s.content}\n`).join("")}<|file_sep|>${filepath}\n`;
      return {
        kind: "completion",
        template: name,
        prompt: `${repo}<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`,
        stop,
      };
    }
    case "deepseek":
      return {
        kind: "completion",
        template: name,
        prompt: `<｜fim▁begin｜>${ctx}${prefix}<｜fim▁hole｜>${suffix}<｜fim▁end｜>`,
        stop,
      };
    case "codellama":
      // Meta's PSM infilling format; the spaces around the sentinels are part of it.
      return { kind: "completion", template: name, prompt: `<PRE> ${ctx}${prefix} <SUF>${suffix} <MID>`, stop };
    case "codestral":
      // Codestral is trained suffix-first (SPM).
      return { kind: "completion", template: name, prompt: `[SUFFIX]${suffix}[PREFIX]${ctx}${prefix}`, stop };
    case "codegemma":
      return {
        kind: "completion",
        template: name,
        prompt: `<|fim_prefix|>${ctx}${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`,
        stop,
      };
    case "suffix":
      return { kind: "completion", template: name, prompt: `${ctx}${prefix}`, suffix, stop };
    case "chat":
      return { kind: "chat", template: name, messages: chatMessages(input), stop };
  }
}

export const HOLE = "{{FILL_HERE}}";

export const CHAT_SYSTEM_PROMPT = [
  "You are a code completion engine inside an editor.",
  `The user sends a file in which exactly one place is marked ${HOLE}.`,
  "Reply with the text that belongs at that place, wrapped in <COMPLETION></COMPLETION>.",
  "Write only the missing text: do not repeat code that is already before or after the marker, add no explanation, no markdown fences.",
  "Keep the file's indentation style. If nothing should be inserted, reply <COMPLETION></COMPLETION>.",
].join("\n");

function chatMessages(input: TemplateInput): ChatMessage[] {
  const parts: string[] = [];
  for (const s of input.snippets) parts.push(`Context file ${s.filepath}:\n<FILE>\n${s.content}\n</FILE>`);
  parts.push(`File ${input.filepath} (${input.languageId}):\n<FILE>\n${input.prefix}${HOLE}${input.suffix}\n</FILE>`);
  parts.push(
    input.multiline
      ? "Complete the code at the marker (one or more lines)."
      : "Complete the code at the marker with a single line at most.",
  );
  return [
    { role: "system", content: CHAT_SYSTEM_PROMPT },
    { role: "user", content: parts.join("\n\n") },
  ];
}
