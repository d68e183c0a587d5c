/**
 * A lean JSON body reader for the /v1 gateway, which sits in front of express.json():
 * body-parser's generic machinery (type negotiation, charset decoding streams) measured at
 * ~0.13 ms a request under load, a large share of the gateway's 1 ms budget. OpenAI
 * clients always send UTF-8 JSON, so this reads bytes, checks the limit, and parses.
 * Same limits and error codes as the app-wide parser.
 *
 * Both readers also refuse JSON nested deeper than MAX_JSON_DEPTH (assertJsonDepth): JSON.parse
 * copes with any depth, but whatever walks the value later (validation, JSON.stringify on the
 * way to an AI service) recurses and overflows the stack at a few thousand levels.
 */
import type { IncomingMessage } from "node:http";
import { AppError } from "../errors";

/** No request of ours nests deeper than ~10 levels; OpenAI tool schemas stay well under 64. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const OPEN_ARR = 0x5b;
const CLOSE_OBJ = 0x7d;
const CLOSE_ARR = 0x5d;

/**
 * Throws BAD_REQUEST when brackets outside strings nest deeper than `max`. One pass over the
 * bytes with a counter (no recursion, so it cannot overflow itself); bytes of multi-byte
 * UTF-8 characters are never ASCII, so scanning bytes is exact. Invalid JSON is left to JSON.parse.
 */
export function assertJsonDepth(buf: Uint8Array, max = MAX_JSON_DEPTH): void {
  // Fewer bytes than the limit cannot hold that many brackets.
  if (buf.length <= max) return;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]; // in range; `undefined` would match no byte below anyway
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJ || c === OPEN_ARR) {
      if (++depth > max) throw new AppError("BAD_REQUEST", `Request body nests JSON deeper than ${max} levels.`);
    } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      depth--;
    }
  }
}

export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    return Promise.reject(new AppError("BAD_REQUEST", "Send a JSON object body (Content-Type: application/json)."));
  }
  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `Request body exceeds ${limit} bytes.`);
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        cleanup();
        // Stop buffering; Node discards the rest of the body once the response ends.
        reject(tooLarge());
        return;
      }
      parts.push(c);
    };
    const onEnd = () => {
      cleanup();
      if (size === 0) {
        resolve(undefined);
        return;
      }
      const buf = Buffer.concat(parts, size);
      try {
        assertJsonDepth(buf);
      } catch (err) {
        reject(err);
        return;
      }
      try {
        resolve(JSON.parse(buf.toString("utf8")) as unknown);
      } catch {
        reject(new AppError("BAD_REQUEST", "Request body is not valid JSON."));
      }
    };
    const onError = () => {
      cleanup();
      reject(new AppError("CANCELLED", "The request was cancelled."));
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}
