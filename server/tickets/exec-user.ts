/**
 * Who the ticket's commands run as inside its workspace container. The clone is bind-mounted
 * there, so a file a command creates belongs on this machine to the container user — root in
 * most images — and the backend (the user's own account in VS Code), the agent's edit_file and
 * git could no longer change it. So the commands run as the backend's uid:gid, with HOME in a
 * folder that user can write (the image's HOME belongs to its own user). A backend that runs as
 * root keeps the image's user.
 *
 * `configured` (AICOCKPIT_TICKETS_EXEC_USER=<uid>:<gid>, checked in server/config/env.ts) sets
 * it explicitly (internal: lets a test that runs as root prove the mapping).
 */
export const TICKET_EXEC_HOME = "/tmp/aicockpit-home";

export function ticketExecUser(configured?: string): string | undefined {
  if (configured) return configured;
  if (typeof process.getuid !== "function" || typeof process.getgid !== "function") return undefined;
  const uid = process.getuid();
  return uid === 0 ? undefined : `${uid}:${process.getgid()}`;
}
