/**
 * The Gemini CLI's `-o stream-json` output, read as untrusted bytes: split into lines with a
 * cap per line and in total, each line parsed and checked against the event shapes of the
 * pinned version (init, message, tool_use, tool_result, error, result). Lines that are not
 * JSON (warnings the CLI prints to stdout) or have an unknown type are skipped and counted.
 */
import { StringDecoder } from "node:string_decoder";
import { z } from "zod";

export const STREAM_LIMITS = {
  /** One event line; a longer one is dropped (a huge tool output) and counted. */
  lineBytes: 1_048_576,
  /** Everything the CLI may print in one run before it is stopped. */
  totalBytes: 64 * 1_048_576,
} as const;

const text = z.string().max(STREAM_LIMITS.lineBytes);
const errorInfo = z.object({ type: z.string().max(200).optional(), message: text.optional() }).passthrough();

const InitEvent = z.object({ type: z.literal("init"), session_id: z.string().max(200), model: z.string().max(200) });
const MessageEvent = z.object({
  type: z.literal("message"),
  role: z.enum(["user", "assistant"]),
  content: text,
  delta: z.boolean().optional(),
});
const ToolUseEvent = z.object({
  type: z.literal("tool_use"),
  tool_name: z.string().min(1).max(200),
  tool_id: z.string().min(1).max(400),
  parameters: z.record(z.string(), z.unknown()).default({}),
});
const ToolResultEvent = z.object({
  type: z.literal("tool_result"),
  tool_id: z.string().min(1).max(400),
  status: z.enum(["success", "error"]),
  output: text.optional(),
  error: errorInfo.optional(),
});
const ErrorEvent = z.object({ type: z.literal("error"), severity: z.string().max(40), message: text });
const ResultEvent = z.object({
  type: z.literal("result"),
  status: z.enum(["success", "error"]),
  error: errorInfo.optional(),
  stats: z
    .object({
      total_tokens: z.number().nonnegative().optional(),
      input_tokens: z.number().nonnegative().optional(),
      output_tokens: z.number().nonnegative().optional(),
      tool_calls: z.number().nonnegative().optional(),
      duration_ms: z.number().nonnegative().optional(),
    })
    .passthrough()
    .optional(),
});

const GeminiEventSchema = z.discriminatedUnion("type", [
  InitEvent,
  MessageEvent,
  ToolUseEvent,
  ToolResultEvent,
  ErrorEvent,
  ResultEvent,
]);
export type GeminiEvent = z.infer<typeof GeminiEventSchema>;

export class StreamTooLarge extends Error {
  constructor(limit: number) {
    super(`the Gemini CLI printed more than ${limit} bytes`);
  }
}

/** Feed it stdout chunks; it returns the events completed by each chunk. */
export class GeminiStreamParser {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";
  private dropping = false;
  private total = 0;
  /** Lines skipped: not JSON, unknown type, wrong shape, or over the line cap. */
  skipped = 0;

  constructor(private readonly limits: { lineBytes: number; totalBytes: number } = STREAM_LIMITS) {}

  feed(chunk: Buffer): GeminiEvent[] {
    this.total += chunk.length;
    if (this.total > this.limits.totalBytes) throw new StreamTooLarge(this.limits.totalBytes);
    const out: GeminiEvent[] = [];
    let data = this.decoder.write(chunk);
    for (;;) {
      const nl = data.indexOf("\n");
      if (nl === -1) break;
      const piece = data.slice(0, nl);
      data = data.slice(nl + 1);
      if (this.dropping) {
        this.dropping = false; // the rest of an over-long line ends here
        this.partial = "";
        continue;
      }
      this.take(this.partial + piece, out);
      this.partial = "";
    }
    if (!this.dropping) {
      this.partial += data;
      if (this.partial.length > this.limits.lineBytes) {
        this.partial = "";
        this.dropping = true;
        this.skipped++;
      }
    }
    return out;
  }

  /** The last line when the CLI ended without a newline. */
  end(): GeminiEvent[] {
    const out: GeminiEvent[] = [];
    const rest = this.partial + this.decoder.end();
    this.partial = "";
    if (!this.dropping) this.take(rest, out);
    return out;
  }

  private take(line: string, out: GeminiEvent[]): void {
    const trimmed = line.trim();
    if (trimmed === "") return;
    if (trimmed.length > this.limits.lineBytes || !trimmed.startsWith("{")) {
      this.skipped++;
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(trimmed);
    } catch {
      this.skipped++;
      return;
    }
    const ev = GeminiEventSchema.safeParse(raw);
    if (ev.success) out.push(ev.data);
    else this.skipped++;
  }
}
