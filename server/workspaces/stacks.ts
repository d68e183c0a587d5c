/**
 * Built-in stack templates. Images are the official slim variants; a workspace container
 * only needs to stay alive (the keep-alive command below) — shells and tools attach via exec.
 * Users add their own templates in the extension's settings; those arrive as ordinary
 * create requests with an explicit image.
 */
import type { StackTemplate } from "../api/workspaces";

/** Portable across images: any POSIX sh; SIGTERM (forwarded by docker-init) ends it at once. */
export const KEEP_ALIVE = ["sh", "-c", "while sleep 3600; do :; done"];

export const BUILTIN_STACKS: readonly StackTemplate[] = [
  { id: "python-3.11", label: "Python 3.11", description: "python:3.11-slim with pip", image: "python:3.11-slim", source: "builtin" },
  { id: "anaconda", label: "Python / Anaconda", description: "continuumio/miniconda3 with conda", image: "continuumio/miniconda3:latest", source: "builtin" },
  { id: "node", label: "Node.js 20 LTS", description: "node:20-bookworm-slim (Node 18+ APIs)", image: "node:20-bookworm-slim", source: "builtin" },
  { id: "go", label: "Go", description: "golang:1.22-bookworm", image: "golang:1.22-bookworm", source: "builtin" },
  { id: "java-17", label: "Java 17", description: "eclipse-temurin:17-jdk with the JDK", image: "eclipse-temurin:17-jdk", source: "builtin" },
  { id: "custom", label: "Custom image", description: "Any image; you give image, ports, env and command", image: "", source: "builtin" },
];

export function findStack(id: string): StackTemplate | undefined {
  return BUILTIN_STACKS.find((s) => s.id === id);
}
