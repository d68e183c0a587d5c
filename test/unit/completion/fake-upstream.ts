/** A scripted in-process model for engine tests: records every call and whether it was aborted. */
import { setTimeout as sleep } from "node:timers/promises";
import type {
  CompletionUpstream,
  UpstreamChatParams,
  UpstreamCompletionParams,
} from "../../../server/completion/engine";

export interface FakeCall {
  kind: "complete" | "chat";
  params: UpstreamCompletionParams | UpstreamChatParams;
  chunksSent: number;
  aborted: boolean;
  finished: boolean;
}

export interface Script {
  chunks: string[];
  /** Delay before each chunk. */
  delayMs?: number;
  /** Delay before the first chunk (time to first token). */
  firstDelayMs?: number;
  error?: Error;
}

export class FakeUpstream implements CompletionUpstream {
  readonly calls: FakeCall[] = [];
  modelName: string | null = "qwen2.5-coder:1.5b-base";
  constructor(public script: (params: UpstreamCompletionParams | UpstreamChatParams) => Script) {}

  model(): string | null {
    return this.modelName;
  }

  get running(): number {
    return this.calls.filter((c) => !c.finished).length;
  }

  complete(params: UpstreamCompletionParams, signal: AbortSignal): AsyncIterable<string> {
    return this.run("complete", params, signal);
  }

  chat(params: UpstreamChatParams, signal: AbortSignal): AsyncIterable<string> {
    return this.run("chat", params, signal);
  }

  private async *run(
    kind: FakeCall["kind"],
    params: UpstreamCompletionParams | UpstreamChatParams,
    signal: AbortSignal,
  ): AsyncGenerator<string> {
    const call: FakeCall = { kind, params, chunksSent: 0, aborted: false, finished: false };
    this.calls.push(call);
    const s = this.script(params);
    const onAbort = () => {
      call.aborted = true;
      call.finished = true;
    };
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      for (let i = 0; i < s.chunks.length; i++) {
        const d = i === 0 ? (s.firstDelayMs ?? s.delayMs ?? 0) : (s.delayMs ?? 0);
        if (d > 0) await sleep(d, undefined, { signal });
        if (signal.aborted) return;
        if (s.error && i === 1) throw s.error;
        call.chunksSent++;
        yield s.chunks[i]!;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      call.finished = true;
    }
  }
}

/** Splits text into chunks of n characters, like a token stream. */
export function chunked(text: string, n = 3): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += n) out.push(text.slice(i, i + n));
  return out;
}
