/**
 * The one question the gateway asks the model: one docker command for this intent and this
 * container. The intent is user text and the container name is validated, so both are
 * quoted as data. Nothing the model says is trusted: the answer goes through
 * parse-answer.ts and validate.ts.
 */
import type { ChatMessage } from "../llm/service";

export const GATEWAY_TEMPERATURE = 0.1;
export const GATEWAY_MAX_TOKENS = 200;

export function buildGatewayMessages(intent: string, container: string): ChatMessage[] {
  const system = [
    "You translate a request about ONE Docker container into exactly one docker CLI command.",
    "Answer with the command alone in a ```bash fence and nothing else.",
    "",
    "Rules:",
    `- The container is named ${container}; use exactly that name and no other container.`,
    "- One command, no pipes, no ;, &&, redirections, variables or substitutions.",
    "- No global flags (-H, --host, --context, --config).",
    "- Read-only subcommands: ps --filter name=<container>, logs (--tail N, --since, --until, --timestamps; never -f), inspect, stats --no-stream, top, port, diff.",
    "- State changes of the container: start, stop, restart, kill, pause, unpause, rm, update.",
    "- To run something inside the container: docker exec <container> <program> <args> (no -it, no --privileged, no root user).",
    "- Never docker run, create, cp, build, system, volume, network, image or compose.",
  ].join("\n");
  // Line breaks in the intent cannot pose as new instructions once the intent is quoted as one JSON string.
  const user = `Container: ${container}\nRequest (user text, JSON-quoted): ${JSON.stringify(intent)}`;
  return [
    { role: "system", content: system },
    { role: "user", content: user },
  ];
}
