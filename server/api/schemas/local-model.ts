/** Request schemas of the local-model routes; server/api/local-model.ts holds the types (see schemas/completion.ts). */
import { z } from "zod";

/** Catalog ids: lowercase letters, digits, `.`, `_`, `-`. */
export const LocalModelIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "a model id is lowercase letters, digits, '.', '_' or '-' (max 100)");

export const LocalModelDownloadRequestSchema = z.strictObject({ modelId: LocalModelIdSchema });

export const LocalModelLoadRequestSchema = z.strictObject({
  /** A catalog id or an absolute path to a .gguf file. */
  model: z.string().trim().min(1).max(4096).optional(),
});

export const LocalModelSettingsSchema = z.strictObject({
  threads: z.number().int().min(0).max(64).optional(),
  contextSize: z.number().int().min(256).max(32768).optional(),
  idleUnloadSeconds: z.number().int().min(0).max(86400).optional(),
});

/** One entry of a catalog file (AICOCKPIT_LOCAL_MODEL_CATALOG) — also checks the built-in one in tests. */
export const LocalModelCatalogFileEntrySchema = z.strictObject({
  id: LocalModelIdSchema,
  name: z.string().min(1).max(200),
  sizeBytes: z
    .number()
    .int()
    .positive()
    .max(64 * 1024 ** 3),
  path: z
    .string()
    .min(1)
    .max(1000)
    .refine((p) => !p.split("/").includes(".."), "path must not contain '..'"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "sha256 is 64 lower-case hex digits"),
  fim: z.boolean(),
  why: z.string().max(500),
});

export const LocalModelCatalogFileSchema = z.strictObject({
  models: z.array(LocalModelCatalogFileEntrySchema).min(1).max(50),
});
