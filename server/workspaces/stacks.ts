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
  {
    id: "python-3.11",
    label: "Python 3.11",
    description: "Debian slim with pip",
    image: "python:3.11-slim",
    source: "builtin",
  },
  {
    id: "anaconda",
    label: "Python / Anaconda",
    description: "Miniconda with conda",
    image: "continuumio/miniconda3:latest",
    source: "builtin",
  },
  {
    id: "node",
    label: "Node.js 20 LTS",
    description: "Node 20 LTS (Node 18+ APIs) with npm",
    image: "node:20-bookworm-slim",
    source: "builtin",
  },
  { id: "go", label: "Go", description: "Go 1.22 toolchain", image: "golang:1.22-bookworm", source: "builtin" },
  {
    id: "java-17",
    label: "Java 17",
    description: "Eclipse Temurin JDK 17",
    image: "eclipse-temurin:17-jdk",
    source: "builtin",
  },
  {
    id: "custom",
    label: "Custom image",
    description: "Any image you name (local images work without a registry); env and command via templates in settings",
    image: "",
    source: "builtin",
  },
];

export function findStack(id: string): StackTemplate | undefined {
  return BUILTIN_STACKS.find((s) => s.id === id);
}
