/** Request bodies are checked against a zod schema; the first problem becomes a clear 400. */
import type { z } from "zod";
import { AppError } from "./errors";

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const [first] = r.error.issues; // zod reports at least one issue for a failed parse
    if (first === undefined) throw new AppError("BAD_REQUEST", "Invalid request body.");
    const where = first.path.length > 0 ? `${first.path.join(".")}: ` : "";
    throw new AppError("BAD_REQUEST", `Invalid request body — ${where}${first.message}.`);
  }
  return r.data;
}
