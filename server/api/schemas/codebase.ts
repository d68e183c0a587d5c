/** Request schemas of the `@codebase` routes; server/api/codebase.ts derives the request types from them. */
import { z } from "zod";

/** Absolute path on the backend's machine, or inside the workspace's container with `workspace_id`. */
const absPath = () =>
  z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => !p.includes("\0"), "path must not contain NUL");

export const indexId = () =>
  z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/, "index_id is the id returned by POST /api/codebase/index");

const relPaths = () => z.array(z.string().min(1).max(4096)).max(5000);

/**
 * Where an index lives: a local folder (`root`), or a Docker workspace (`workspace_id`, with
 * `root` the folder inside its container, default `/workspace`).
 */
const target = {
  root: absPath().optional(),
  /** A workspace id as in GET /api/workspaces (`api` or `api@hostId`). */
  workspace_id: z.string().min(1).max(300).optional(),
};

export const CodebaseIndexRequestSchema = z
  .object({
    ...target,
    /** Extra ignore patterns (gitignore syntax) on top of `.gitignore` and `.aicockpitignore`, e.g. files.exclude. */
    ignore_patterns: z.array(z.string().max(4096)).max(1000).optional(),
  })
  .refine((b) => b.root !== undefined || b.workspace_id !== undefined, {
    message: "give root (an absolute folder) or workspace_id",
  });

export const CodebaseChangesRequestSchema = z.object({
  index_id: indexId(),
  /** Root-relative (`src/app.ts`) or absolute paths under the root that were created or changed. */
  changed: relPaths().optional(),
  /** Root-relative or absolute paths that were deleted (a deleted folder removes everything under it). */
  deleted: relPaths().optional(),
});

export const CodebaseQueryRequestSchema = z.object({
  index_id: indexId(),
  question: z.string().trim().min(1, "the question must not be empty").max(20_000),
  /** Tokens the returned `context` may take (default 4000). */
  budget_tokens: z.number().int().min(100).max(200_000).optional(),
});

/** The `codebase` field of POST /api/chat: "@codebase" for this index (or this root/workspace, ensured on the fly). */
export const ChatCodebaseSchema = z
  .object({
    index_id: indexId().optional(),
    ...target,
    /** Tokens of the chat's context budget the retrieved code may take (default: half, or all without other mentions). */
    budget_tokens: z.number().int().min(100).max(200_000).optional(),
  })
  .refine((b) => b.index_id !== undefined || b.root !== undefined || b.workspace_id !== undefined, {
    message: "codebase needs index_id, root or workspace_id",
  });
