/** Request schemas of the ticket routes; server/api/tickets.ts derives the request types from them. */
import { z } from "zod";
import { TICKET_ID_PATTERN, TICKET_LIMITS as L } from "../tickets";

const secrets = z
  .object({
    /** GitHub (or compatible forge) token: git over https and the pull-request API. */
    forge_token: z.string().min(1).max(L.tokenChars).optional(),
    /** Gemini API key for the gemini-cli agent (its environment only). */
    gemini_api_key: z.string().min(1).max(L.tokenChars).optional(),
  })
  .strict()
  .optional();

export const CreateTicketRequestSchema = z
  .object({
    ticket_id: z.string().regex(TICKET_ID_PATTERN, "ticket_id must be 1–64 letters, digits, '-' or '_'"),
    repo_url: z.string().trim().min(1).max(L.repoUrlChars),
    /** Default: the remote's default branch. */
    base_branch: z.string().min(1).max(L.branchChars).optional(),
    /** Docker workspace to run the agent's commands in (the clone must be mounted there). */
    workspace_id: z.string().min(1).max(200).optional(),
    /** Path of the clone inside that workspace (default /workspace). */
    workspace_path: z.string().min(1).max(1_024).optional(),
    secrets,
  })
  .strict();

export const TicketCommandRequestSchema = z
  .object({
    action: z.enum(["chat", "make_plan", "dev"]),
    message: z.string().max(L.messageChars).optional(),
    agent: z.enum(["builtin", "gemini-cli"]).optional(),
    /** Model name; default: the active provider's model (builtin) or the CLI's default (gemini-cli). */
    model: z.string().min(1).max(200).optional(),
    /** Provider id for the builtin agent; default: the active provider. */
    provider_id: z.string().min(1).max(200).optional(),
    budgets: z
      .object({
        maxSteps: z.number(),
        maxTokens: z.number(),
        maxMs: z.number(),
        commandIdleMs: z.number(),
        commandMaxMs: z.number(),
      })
      .partial()
      .strict()
      .optional(),
    /**
     * A dirty working tree at the start: `refuse` (default, TICKET_DIRTY_TREE) or `commit` it as
     * the user's own commit before the agent starts.
     */
    dirty: z.enum(["refuse", "commit"]).optional(),
    /** dev: open the draft PR (default true when a forge token is given). */
    open_pr: z.boolean().optional(),
    /** Forge REST API base (default AICOCKPIT_GITHUB_API_URL or https://api.github.com). */
    forge_api_url: z.string().url().max(L.repoUrlChars).optional(),
    secrets,
  })
  .strict();

export const TicketConfirmRequestSchema = z.union([
  z
    .object({
      confirmation_id: z.string().min(1).max(16_384),
      action: z.literal("run"),
      /** Required for a `dangerous` command. */
      confirmDangerous: z.boolean().optional(),
    })
    .strict(),
  z.object({ confirmation_id: z.string().min(1).max(16_384), action: z.literal("reject") }).strict(),
]);

/**
 * Attach a workspace to a ticket: `workspace_id` names an existing one that must mount the
 * clone (refused otherwise); without it a workspace is created for the ticket on this
 * machine's engine with the clone bind-mounted at /workspace, from `stack` or `image`.
 */
export const TicketWorkspaceRequestSchema = z
  .object({
    workspace_id: z.string().min(1).max(200).optional(),
    /** Where the clone is inside that workspace; default: found from its mounts. */
    workspace_path: z.string().startsWith("/").max(1_024).optional(),
    stack: z.string().min(1).max(100).optional(),
    image: z.string().min(1).max(512).optional(),
    network: z.enum(["bridge", "none"]).optional(),
    pull: z.enum(["missing", "never"]).optional(),
  })
  .strict();
