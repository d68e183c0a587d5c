/**
 * Docker development workspaces: the HTTP contract.
 *
 * A workspace id is its name on the local engine (`api`) or `name@hostId` on a remote
 * Docker host reached over SSH (`api@build-box`). Docker labels are the only record of a
 * workspace: everything here is read back from the engine, never kept in the backend.
 */
import type { z } from "zod";
import type {
  CreateWorkspaceRequestSchema,
  DeleteWorkspaceRequestSchema,
  ExecRequestSchema,
  FileDeleteRequestSchema,
  FilePathRequestSchema,
  FileRenameRequestSchema,
  FileWriteRequestSchema,
  PortSpecSchema,
  ProbeHostKeyRequestSchema,
  WorkspaceHostInputSchema,
} from "./schemas/workspaces";

export const WORKSPACE_LIMITS = {
  nameChars: 48,
  minCpus: 0.1,
  maxCpus: 256,
  minMemoryMb: 64,
  maxMemoryMb: 1024 * 1024,
  minPids: 16,
  maxPids: 1_000_000,
  maxPorts: 32,
  maxEnv: 100,
  maxCommandArgs: 100,
  /** Largest file the files API reads or writes in one call. */
  maxFileBytes: 50 * 1024 * 1024,
  maxExecTimeoutMs: 3_600_000,
} as const;

/** Valid names: lowercase letters, digits, `-`, `_`, `.`; starts with a letter or digit. */
export const WORKSPACE_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,47}$/;

export type WorkspaceState = "running" | "stopped" | "paused" | "restarting" | "created" | "dead" | "removing";

export interface ResourceLimits {
  /** CPUs (fractions allowed), e.g. 1.5. */
  cpus: number;
  memoryMb: number;
  /** Max processes/threads inside the container. */
  pids: number;
}

export type PortSpec = z.infer<typeof PortSpecSchema>;

export interface PublishedPort {
  container: number;
  protocol: "tcp" | "udp";
  hostIp: string;
  /** null while the container is not running. */
  hostPort: number | null;
}

export interface StackTemplate {
  id: string;
  label: string;
  description: string;
  /** Empty for the "custom image" template: the request must give one. */
  image: string;
  /** Keeps the container alive; a shell or editor attaches through exec. */
  command?: string[];
  env?: Record<string, string>;
  ports?: PortSpec[];
  /** Where the user's settings defined it ("builtin" or "settings"). */
  source?: "builtin" | "settings";
}

export interface StackList {
  stacks: StackTemplate[];
}

export type CreateWorkspaceRequest = z.infer<typeof CreateWorkspaceRequestSchema>;

export interface WorkspaceView {
  id: string;
  name: string;
  /** "local" or a remote host id. */
  host: string;
  stack: string;
  image: string;
  state: WorkspaceState;
  /** Docker's own status text, e.g. "Up 3 minutes". */
  status: string;
  createdAt: string;
  limits: ResourceLimits;
  ports: PublishedPort[];
  network: string;
  volume: string;
  containerId: string;
}

export interface WorkspaceList {
  workspaces: WorkspaceView[];
  /** Hosts that could not be listed (the others still are). */
  unreachable: { host: string; code: string; message: string }[];
}

/**
 * Events of `POST /api/workspaces` (SSE). Name, limits, host and engine are checked before
 * the first event, so those failures are plain JSON errors with their HTTP status.
 */
export type CreateWorkspaceEvent =
  | { type: "phase"; phase: "pulling" | "creating" | "starting"; message: string }
  | { type: "pull"; id?: string; status: string; current?: number; total?: number }
  | { type: "created"; workspace: WorkspaceView };

export type DeleteWorkspaceRequest = NonNullable<z.infer<typeof DeleteWorkspaceRequestSchema>>;

export interface DeleteWorkspaceResponse {
  removed: true;
  volumeRemoved: boolean;
}

export type ExecRequest = z.infer<typeof ExecRequestSchema>;

export interface ExecResult {
  /** null when the process was killed on timeout. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** stdout/stderr were cut at 10 MB each. */
  truncated: boolean;
}

export type FileType = "file" | "directory" | "symlink" | "other";

export interface FileStat {
  name: string;
  type: FileType;
  size: number;
  /** Milliseconds since the epoch. */
  mtimeMs: number;
}

export type FilePathRequest = z.infer<typeof FilePathRequestSchema>;

export interface FileListResponse {
  path: string;
  entries: FileStat[];
}

export interface FileReadResponse {
  path: string;
  size: number;
  contentBase64: string;
}

export type FileWriteRequest = z.infer<typeof FileWriteRequestSchema>;
export type FileDeleteRequest = z.infer<typeof FileDeleteRequestSchema>;
export type FileRenameRequest = z.infer<typeof FileRenameRequestSchema>;

export type WorkspaceHostInput = z.infer<typeof WorkspaceHostInputSchema>;
export type ProbeHostKeyRequest = z.infer<typeof ProbeHostKeyRequestSchema>;

export interface WorkspaceHostView extends WorkspaceHostInput {
  id: string;
  port: number;
}

export interface WorkspaceHostList {
  hosts: WorkspaceHostView[];
}

/**
 * Interactive terminal: a WebSocket at `GET /api/workspaces/:id/tty?cols=80&rows=24[&cmd=<json argv>]`
 * with the same Host/Origin/bearer checks as HTTP. Binary frames carry terminal bytes both
 * ways; text frames carry TtyControl (client → server) and TtyServerMessage (server → client).
 */
export type TtyControl = { type: "resize"; cols: number; rows: number };
export type TtyServerMessage =
  | { type: "ready"; execId: string }
  | { type: "exit"; exitCode: number | null }
  | { type: "error"; code: string; message: string; hint?: string };
