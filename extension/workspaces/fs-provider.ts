/**
 * `aicockpit-ws://<workspace>/<path>`: files inside a workspace container open, edit and
 * save in ordinary editors and can be added to the Explorer. Everything goes through the
 * backend's files API (Docker's archive API underneath).
 */
import * as vscode from "vscode";
import type { FileStat as WsFileStat } from "../../server/api/workspaces";
import { BackendError, type BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import { idOfAuthority } from "./model";

type Files = Pick<BackendClient, "call">;

function toType(t: WsFileStat["type"]): vscode.FileType {
  switch (t) {
    case "directory":
      return vscode.FileType.Directory;
    case "symlink":
      return vscode.FileType.SymbolicLink | vscode.FileType.File;
    case "file":
      return vscode.FileType.File;
    default:
      return vscode.FileType.Unknown;
  }
}

function fsError(err: unknown, uri: vscode.Uri): Error {
  if (!(err instanceof BackendError)) return err instanceof Error ? err : new Error(String(err));
  switch (err.code) {
    case "FILE_NOT_FOUND":
    case "WORKSPACE_NOT_FOUND":
      return vscode.FileSystemError.FileNotFound(uri);
    case "FILE_EXISTS":
      return vscode.FileSystemError.FileExists(uri);
    case "FILE_IS_DIRECTORY":
      return vscode.FileSystemError.FileIsADirectory(uri);
    case "WORKSPACE_NOT_RUNNING":
    case "DOCKER_UNAVAILABLE":
    case "BACKEND_NOT_RUNNING":
    case "BACKEND_UNREACHABLE":
      return vscode.FileSystemError.Unavailable(`${err.message}${err.hint ? ` ${err.hint}` : ""}`);
    default:
      return new Error(`${err.message}${err.hint ? ` ${err.hint}` : ""}`);
  }
}

export class WorkspaceFileSystem implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;

  constructor(
    private readonly client: Files,
    /** Resolves once a backend is ready (false on timeout): files opened at window load may come first. */
    private readonly backendReady: () => Promise<boolean>,
  ) {}

  private params(uri: vscode.Uri) {
    return { id: idOfAuthority(uri.authority) };
  }

  private async run<T>(uri: vscode.Uri, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      // Explorer/editors restored with the window ask before the backend is up: wait for it once.
      if (err instanceof BackendError && err.code === "BACKEND_NOT_RUNNING" && (await this.backendReady())) {
        try {
          return await f();
        } catch (again) {
          throw fsError(again, uri);
        }
      }
      const code = err instanceof BackendError ? err.code : String(err);
      if (code !== "FILE_NOT_FOUND") e2eReport("workspace-fs-error", { uri: uri.toString(), code });
      throw fsError(err, uri);
    }
  }

  watch(): vscode.Disposable {
    // No push from the container; our own writes fire change events below.
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    return this.run(uri, async () => {
      const s = await this.client.call("POST /api/workspaces/:id/files/stat", {
        params: this.params(uri),
        body: { path: uri.path || "/" },
      });
      return { type: toType(s.type), ctime: s.mtimeMs, mtime: s.mtimeMs, size: s.size };
    });
  }

  readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    return this.run(uri, async () => {
      const r = await this.client.call("POST /api/workspaces/:id/files/list", {
        params: this.params(uri),
        body: { path: uri.path || "/" },
      });
      return r.entries.map((e): [string, vscode.FileType] => [e.name, toType(e.type)]);
    });
  }

  readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.run(uri, async () => {
      const r = await this.client.call("POST /api/workspaces/:id/files/read", {
        params: this.params(uri),
        body: { path: uri.path },
      });
      return Buffer.from(r.contentBase64, "base64");
    });
  }

  writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): Promise<void> {
    return this.run(uri, async () => {
      await this.client.call("POST /api/workspaces/:id/files/write", {
        params: this.params(uri),
        body: {
          path: uri.path,
          contentBase64: Buffer.from(content).toString("base64"),
          create: options.create,
          overwrite: options.overwrite,
        },
      });
      this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
      e2eReport("workspace-file-saved", { uri: uri.toString(), bytes: content.byteLength });
    });
  }

  delete(uri: vscode.Uri, options: { recursive: boolean }): Promise<void> {
    return this.run(uri, async () => {
      await this.client.call("POST /api/workspaces/:id/files/delete", {
        params: this.params(uri),
        body: { path: uri.path, recursive: options.recursive },
      });
      this.changed.fire([{ type: vscode.FileChangeType.Deleted, uri }]);
    });
  }

  createDirectory(uri: vscode.Uri): Promise<void> {
    return this.run(uri, async () => {
      await this.client.call("POST /api/workspaces/:id/files/mkdir", {
        params: this.params(uri),
        body: { path: uri.path },
      });
      this.changed.fire([{ type: vscode.FileChangeType.Created, uri }]);
    });
  }

  rename(from: vscode.Uri, to: vscode.Uri, options: { overwrite: boolean }): Promise<void> {
    return this.run(from, async () => {
      if (from.authority !== to.authority)
        throw vscode.FileSystemError.NoPermissions("Moving files between workspaces is not supported.");
      await this.client.call("POST /api/workspaces/:id/files/rename", {
        params: this.params(from),
        body: { from: from.path, to: to.path, overwrite: options.overwrite },
      });
      this.changed.fire([
        { type: vscode.FileChangeType.Deleted, uri: from },
        { type: vscode.FileChangeType.Created, uri: to },
      ]);
    });
  }
}
