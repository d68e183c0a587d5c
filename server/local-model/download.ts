/**
 * Downloads a catalog model into the models folder: resumable (HTTP Range onto `<id>.gguf.partial`),
 * verified against the pinned SHA-256 before it becomes `<id>.gguf` (a mismatch removes the
 * partial file: resuming bad bytes would never succeed), through the same proxy/CA transport as
 * every AI request. Progress is an async stream of events; aborting the caller's signal stops it
 * and keeps the partial file for the next attempt.
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import type { LocalModelCatalogFileEntry, LocalModelDownloadEvent } from "../api/local-model";
import type { LocalModelConfig } from "../config/env";
import { AppError } from "../errors";
import { loadUndici, type Transport } from "../llm/transport";
import { log } from "../log";
import { modelFile, modelUrl, partialFile } from "./catalog";

type UndiciResponse = Awaited<ReturnType<(typeof import("undici"))["fetch"]>>;

const PROGRESS_EVERY_MS = 250;
/** No byte for this long → the download fails (and can be resumed). */
const STALL_MS = 30_000;
const RATE_WINDOW_MS = 3_000;

export interface DownloadProgress {
  modelId: string;
  received: number;
  total: number;
  bytesPerSecond: number;
}

const OFFLINE_HINT =
  "Offline or behind a firewall? Download the file on another machine (the URL is in the message), copy it here and set aicockpit.local.modelPath to it (or AICOCKPIT_LLM_MODEL=/path/to/file.gguf). Behind a proxy: aicockpit.network.httpsProxy / caFile.";

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function hashFile(path: string, hash: Hash, signal: AbortSignal): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer);
}

/** Bytes per second over a sliding window. */
class Rate {
  private readonly samples: { t: number; bytes: number }[] = [];
  add(bytes: number): void {
    const t = performance.now();
    this.samples.push({ t, bytes });
    while (this.samples.length > 1 && t - (this.samples[0]?.t ?? t) > RATE_WINDOW_MS) this.samples.shift();
  }
  perSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t - first.t < 1) return 0;
    const bytes = this.samples.slice(1).reduce((a, s) => a + s.bytes, 0);
    return Math.round((bytes * 1000) / (last.t - first.t));
  }
}

export class Downloader {
  private readonly running = new Map<string, DownloadProgress>();

  constructor(
    private readonly cfg: LocalModelConfig,
    private readonly transport: Transport,
  ) {}

  progress(): DownloadProgress | undefined {
    return this.running.values().next().value;
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  async *download(entry: LocalModelCatalogFileEntry, signal: AbortSignal): AsyncGenerator<LocalModelDownloadEvent> {
    const id = entry.id;
    const url = modelUrl(this.cfg, entry);
    const final = modelFile(this.cfg, id);
    const total = entry.sizeBytes;
    if ((await sizeOf(final)) === total) {
      yield { type: "start", modelId: id, url, total, resumedFrom: total };
      yield { type: "done", modelId: id, path: final, sizeBytes: total, sha256: entry.sha256 };
      return;
    }
    if (this.running.has(id))
      throw new AppError(
        "LOCAL_MODEL_DOWNLOAD_IN_PROGRESS",
        `${entry.name} is already being downloaded.`,
        "Wait for it (GET /api/local-model/status shows its progress).",
      );
    const progress: DownloadProgress = { modelId: id, received: 0, total, bytesPerSecond: 0 };
    this.running.set(id, progress);
    try {
      yield* this.run(entry, url, final, progress, signal);
    } finally {
      this.running.delete(id);
    }
  }

  private async *run(
    entry: LocalModelCatalogFileEntry,
    url: string,
    final: string,
    progress: DownloadProgress,
    signal: AbortSignal,
  ): AsyncGenerator<LocalModelDownloadEvent> {
    const total = entry.sizeBytes;
    const partial = partialFile(this.cfg, entry.id);
    await mkdir(this.cfg.modelsDir, { recursive: true });
    let have = await sizeOf(partial);
    if (have > total) {
      await rm(partial, { force: true });
      have = 0;
    }
    yield { type: "start", modelId: entry.id, url, total, resumedFrom: have };
    let hash = createHash("sha256");
    if (have > 0) await hashFile(partial, hash, signal);
    progress.received = have;

    if (have < total) {
      const stall = new AbortController();
      const both = AbortSignal.any([signal, stall.signal]);
      let timer = setTimeout(() => stall.abort(), STALL_MS);
      const { fetch } = await loadUndici();
      let res: UndiciResponse;
      try {
        res = await fetch(url, {
          dispatcher: await this.transport.dispatcher(url),
          headers: have > 0 ? { range: `bytes=${have}-` } : {},
          redirect: "follow",
          signal: both,
        });
      } catch (err) {
        clearTimeout(timer);
        if (signal.aborted) throw new AppError("CANCELLED", "The download was cancelled.");
        throw failed(entry, url, stall.signal.aborted ? "no answer for 30 s" : causeOf(err));
      }
      if (res.status === 200 && have > 0) {
        // The host ignored the range: start over rather than append the file to itself.
        have = 0;
        hash = createHash("sha256");
      }
      if (res.status !== 200 && res.status !== 206) {
        clearTimeout(timer);
        await res.body?.cancel().catch(() => undefined);
        throw failed(entry, url, `the host answered HTTP ${res.status}`);
      }
      yield* this.receive(entry, res, url, partial, hash, have, progress, signal, () => {
        clearTimeout(timer);
        timer = setTimeout(() => stall.abort(), STALL_MS);
      });
      clearTimeout(timer);
      if (stall.signal.aborted) throw failed(entry, url, "no data for 30 s");
    }
    yield* this.verify(entry, partial, final, hash);
  }

  private async *receive(
    entry: LocalModelCatalogFileEntry,
    res: UndiciResponse,
    url: string,
    partial: string,
    hash: Hash,
    start: number,
    progress: DownloadProgress,
    signal: AbortSignal,
    touch: () => void,
  ): AsyncGenerator<LocalModelDownloadEvent> {
    const total = entry.sizeBytes;
    const rate = new Rate();
    let received = start;
    let lastEvent = 0;
    const file = await open(partial, start > 0 ? "a" : "w");
    try {
      if (!res.body) throw failed(entry, url, "the host sent no body");
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        touch();
        received += chunk.length;
        if (received > total) {
          await file.close().catch(() => undefined);
          await rm(partial, { force: true });
          throw mismatch(entry, url, `the host sent more than the expected ${total} bytes`);
        }
        await file.write(chunk);
        hash.update(chunk);
        rate.add(chunk.length);
        progress.received = received;
        progress.bytesPerSecond = rate.perSecond();
        const now = performance.now();
        if (now - lastEvent >= PROGRESS_EVERY_MS || received === total) {
          lastEvent = now;
          yield { type: "progress", received, total, bytesPerSecond: progress.bytesPerSecond };
        }
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (signal.aborted) throw new AppError("CANCELLED", "The download was cancelled; it resumes where it stopped.");
      throw failed(entry, url, causeOf(err));
    } finally {
      await file.close().catch(() => undefined);
    }
    if (received < total) throw failed(entry, url, `the connection ended after ${received} of ${total} bytes`);
  }

  private async *verify(
    entry: LocalModelCatalogFileEntry,
    partial: string,
    final: string,
    hash: Hash,
  ): AsyncGenerator<LocalModelDownloadEvent> {
    const got = hash.digest("hex");
    if (got !== entry.sha256) {
      await rm(partial, { force: true });
      log.warn("local model download refused: checksum mismatch", { model: entry.id, expected: entry.sha256, got });
      throw mismatch(entry, modelUrl(this.cfg, entry), `its SHA-256 is ${got}, expected ${entry.sha256}`);
    }
    await rename(partial, final);
    log.info("local model downloaded", { model: entry.id, path: final });
    yield { type: "done", modelId: entry.id, path: final, sizeBytes: entry.sizeBytes, sha256: got };
  }
}

function causeOf(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

function failed(entry: LocalModelCatalogFileEntry, url: string, why: string): AppError {
  return new AppError(
    "LOCAL_MODEL_DOWNLOAD_FAILED",
    `Downloading ${entry.name} from ${url} failed: ${why}. What arrived is kept; downloading again resumes it.`,
    OFFLINE_HINT,
  );
}

function mismatch(entry: LocalModelCatalogFileEntry, url: string, why: string): AppError {
  return new AppError(
    "LOCAL_MODEL_CHECKSUM_MISMATCH",
    `The file downloaded for ${entry.name} from ${url} is not the expected one (${why}); it was deleted.`,
    "Try again; if it keeps happening, the host (or a proxy) serves a different file — download it elsewhere and check its SHA-256.",
  );
}
