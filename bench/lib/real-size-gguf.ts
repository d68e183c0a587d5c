/**
 * A random-weight GGUF with the shape and quantisation of Qwen2.5-Coder-0.5B Q8_0 (the catalog's
 * recommended model): 24 layers, 896-dim, 14 query / 2 key-value heads, 4864 feed-forward,
 * a 151,936-token vocabulary, Q8_0 weights (~670 MB). llama.cpp does the same work per token as
 * for the real model, so a bench on it measures what a user feels; the text it writes is noise.
 * No model host is reachable from CI machines and no model is committed: it is generated once
 * (a few seconds) into a cache folder and reused.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { randomFillSync } from "node:crypto";
import { homedir } from "node:os";
import { join } from "node:path";
import { CHAT_TEMPLATE, vocabulary } from "../../test/fixtures/tiny-gguf";

export const QWEN05B_SHAPE = { embd: 896, heads: 14, kvHeads: 2, layers: 24, ff: 4864, vocab: 151_936 };

const ALIGN = 32;
const Q8_0 = 8;
const F32 = 0;
const QK = 32; // weights per Q8_0 block: an f16 scale, then 32 int8

/** The cached model's path, generated when missing. */
export function realSizeGguf(): string {
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "aicockpit-bench");
  const path = join(dir, "random-qwen2.5-coder-0.5b-shape-q8_0.v1.gguf");
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  write(partial);
  renameSync(partial, path);
  return path;
}

function f16(v: number): number {
  // Enough for the normal positive range a scale lives in.
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer)[0] ?? 0;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  return ((u >>> 16) & 0x8000) | (exp << 10) | ((u >>> 13) & 0x3ff);
}

function write(path: string): void {
  const { embd, heads, kvHeads, layers, ff, vocab: nVocab } = QWEN05B_SHAPE;
  const base = vocabulary();
  const tokens = [...base.tokens];
  const types = [...base.types];
  const scores = [...base.scores];
  // Filler pieces up to the real vocabulary size: the output layer's width is most of a small model's work per token.
  for (let i = 0; tokens.length < nVocab; i++) {
    tokens.push(`▁w${i.toString(36)}`);
    types.push(1);
    scores.push(-1000 - i);
  }
  const control = new Set(types.flatMap((t, i) => (t === 3 ? [i] : [])));
  const kvDim = (embd / heads) * kvHeads;
  const id = (s: string) => tokens.indexOf(s);

  const parts: Buffer[] = [];
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    parts.push(b);
  };
  const u64 = (v: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    parts.push(b);
  };
  const str = (s: string) => {
    const b = Buffer.from(s, "utf8");
    u64(b.length);
    parts.push(b);
  };
  const kvU32 = (k: string, v: number) => (str(k), u32(4), u32(v));
  const kvStr = (k: string, v: string) => (str(k), u32(8), str(v));
  const kvs: (() => void)[] = [
    () => kvStr("general.architecture", "llama"),
    () => kvStr("general.name", "aicockpit-bench-random-qwen2.5-coder-0.5b-shape"),
    () => kvU32("llama.context_length", 32768),
    () => kvU32("llama.embedding_length", embd),
    () => kvU32("llama.block_count", layers),
    () => kvU32("llama.feed_forward_length", ff),
    () => kvU32("llama.attention.head_count", heads),
    () => kvU32("llama.attention.head_count_kv", kvHeads),
    () => kvU32("llama.rope.dimension_count", embd / heads),
    () => {
      str("llama.attention.layer_norm_rms_epsilon");
      u32(6);
      const b = Buffer.alloc(4);
      b.writeFloatLE(1e-6);
      parts.push(b);
    },
    () => kvStr("tokenizer.ggml.model", "llama"),
    () => {
      str("tokenizer.ggml.tokens");
      (u32(9), u32(8), u64(tokens.length));
      for (const t of tokens) str(t);
    },
    () => {
      str("tokenizer.ggml.scores");
      (u32(9), u32(6), u64(scores.length));
      const b = Buffer.alloc(scores.length * 4);
      scores.forEach((s, i) => b.writeFloatLE(s, i * 4));
      parts.push(b);
    },
    () => {
      str("tokenizer.ggml.token_type");
      (u32(9), u32(5), u64(types.length));
      const b = Buffer.alloc(types.length * 4);
      types.forEach((t, i) => b.writeInt32LE(t, i * 4));
      parts.push(b);
    },
    () => kvU32("tokenizer.ggml.unknown_token_id", 0),
    () => kvU32("tokenizer.ggml.bos_token_id", 1),
    () => kvU32("tokenizer.ggml.eos_token_id", 2),
    () => kvU32("tokenizer.ggml.fim_pre_token_id", id("<|fim_prefix|>")),
    () => kvU32("tokenizer.ggml.fim_suf_token_id", id("<|fim_suffix|>")),
    () => kvU32("tokenizer.ggml.fim_mid_token_id", id("<|fim_middle|>")),
    () => kvStr("tokenizer.chat_template", CHAT_TEMPLATE),
  ];
  const tensors: { name: string; dims: [number] | [number, number] }[] = [
    { name: "token_embd.weight", dims: [embd, nVocab] },
    { name: "output_norm.weight", dims: [embd] },
    { name: "output.weight", dims: [embd, nVocab] },
  ];
  for (let l = 0; l < layers; l++) {
    const b = `blk.${l}`;
    tensors.push(
      { name: `${b}.attn_norm.weight`, dims: [embd] },
      { name: `${b}.attn_q.weight`, dims: [embd, embd] },
      { name: `${b}.attn_k.weight`, dims: [embd, kvDim] },
      { name: `${b}.attn_v.weight`, dims: [embd, kvDim] },
      { name: `${b}.attn_output.weight`, dims: [embd, embd] },
      { name: `${b}.ffn_norm.weight`, dims: [embd] },
      { name: `${b}.ffn_gate.weight`, dims: [embd, ff] },
      { name: `${b}.ffn_up.weight`, dims: [embd, ff] },
      { name: `${b}.ffn_down.weight`, dims: [ff, embd] },
    );
  }
  parts.push(Buffer.from("GGUF", "ascii"));
  u32(3);
  u64(tensors.length);
  u64(kvs.length);
  for (const kv of kvs) kv();
  const bytesOf = (dims: number[]) =>
    dims.length === 1 ? (dims[0] ?? 0) * 4 : ((dims[0] ?? 0) / QK) * (2 + QK) * (dims[1] ?? 0);
  let offset = 0;
  for (const t of tensors) {
    str(t.name);
    u32(t.dims.length);
    for (const d of t.dims) u64(d);
    u32(t.dims.length === 1 ? F32 : Q8_0);
    u64(offset);
    offset += Math.ceil(bytesOf(t.dims) / ALIGN) * ALIGN;
  }
  const fd = openSync(path, "w");
  try {
    let size = 0;
    const out = (b: Buffer) => {
      writeSync(fd, b);
      size += b.length;
    };
    const pad = () => {
      const n = (ALIGN - (size % ALIGN)) % ALIGN;
      if (n > 0) out(Buffer.alloc(n));
    };
    for (const p of parts) out(p);
    pad();
    // Same weight range as the tiny fixture's: activations stay sane through 24 layers.
    const d = f16((0.2 * Math.sqrt(64 / embd)) / 2 / 128);
    for (const t of tensors) {
      if (t.dims.length === 1) {
        const b = Buffer.alloc(t.dims[0] * 4);
        for (let i = 0; i < t.dims[0]; i++) b.writeFloatLE(1, i * 4);
        out(b);
      } else {
        const [cols, rows] = t.dims;
        const rowBytes = (cols / QK) * (2 + QK);
        const chunkRows = Math.max(1, Math.floor((8 << 20) / rowBytes));
        for (let r0 = 0; r0 < rows; r0 += chunkRows) {
          const n = Math.min(chunkRows, rows - r0);
          const b = randomFillSync(Buffer.alloc(n * rowBytes));
          for (let r = 0; r < n; r++) {
            // Control tokens never win (as in the fixture): generations run until stopped.
            const silent = t.name === "output.weight" && control.has(r0 + r);
            for (let blk = 0; blk < cols / QK; blk++) {
              const at = r * rowBytes + blk * (2 + QK);
              b.writeUInt16LE(silent ? 0 : d, at);
            }
          }
          out(b);
        }
      }
      pad();
    }
  } finally {
    closeSync(fd);
  }
}
