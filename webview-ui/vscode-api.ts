/** The webview's handle to VS Code (acquireVsCodeApi may be called once per page). */
import type { ToExtension } from "./protocol";

interface VsCodeApi {
  postMessage(message: ToExtension): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscodeApi: VsCodeApi = acquireVsCodeApi();
