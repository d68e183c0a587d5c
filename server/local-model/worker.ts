/**
 * The local-model worker thread (its own bundle, dist/local-model-worker.js): runs engine.ts on
 * messages from the HTTP thread (worker-protocol.ts). One worker per backend, started on first use.
 */
import { parentPort } from "node:worker_threads";
import { AppError } from "../errors";
import { firstLine, generate, initNative, load, unload } from "./engine";
import type { FromWorker, ToWorker } from "./worker-protocol";

const port = parentPort;
if (!port) throw new Error("local-model worker: not started as a worker thread");
const send = (m: FromWorker) => port.postMessage(m);
const running = new Map<number, AbortController>();

function fail(id: number, err: unknown): void {
  const e =
    err instanceof AppError
      ? err
      : new AppError("LOCAL_MODEL_LOAD_FAILED", `The local model failed: ${firstLine(err)}.`);
  send({ t: "error", id, error: e.toApiError() });
}

async function run(m: ToWorker): Promise<void> {
  switch (m.t) {
    case "init":
      send({ t: "native", id: m.id, state: await initNative() });
      return;
    case "load":
      try {
        send({ t: "loaded", id: m.id, info: await load(m.path, m.threads, m.contextSize) });
      } catch (err) {
        fail(m.id, err);
      }
      return;
    case "unload":
      try {
        await unload();
      } finally {
        send({ t: "unloaded", id: m.id });
      }
      return;
    case "abort":
      running.get(m.id)?.abort();
      return;
    case "generate": {
      const ac = new AbortController();
      running.set(m.id, ac);
      // Text goes out two turns of the event loop after llama.cpp made it: node-llama-cpp sends
      // the next token to its native thread from a setImmediate, and posting at once would put our
      // work before that. What is ready by then goes as one message.
      let pending = "";
      let scheduled = false;
      const flush = () => {
        scheduled = false;
        if (pending === "") return;
        send({ t: "text", id: m.id, text: pending });
        pending = "";
      };
      const onText = (t: string) => {
        pending += t;
        if (scheduled) return;
        scheduled = true;
        setImmediate(() => setImmediate(flush));
      };
      try {
        const r = await generate(m.lane, m.job, m.opts, ac.signal, onText);
        flush();
        send({ t: "end", id: m.id, ...r });
      } catch (err) {
        flush();
        if (err instanceof AppError) fail(m.id, err);
        else send({ t: "end", id: m.id, tokens: 0, failed: firstLine(err) });
      } finally {
        running.delete(m.id);
      }
      return;
    }
  }
}

port.on("message", (m: ToWorker) => void run(m));
