/** Terminal output as plain text for a model or a message: colours, cursor moves and shell-integration markers are noise. */

// CSI sequences, OSC sequences (ended by BEL or ST), and two-byte escapes.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** A carriage return redraws its line (progress bars): only what was drawn last is kept. */
export function stripAnsi(text: string): string {
  return text
    .replace(ANSI, "")
    .split("\n")
    .map((line) => {
      const l = line.endsWith("\r") ? line.slice(0, -1) : line;
      return l.slice(l.lastIndexOf("\r") + 1);
    })
    .join("\n");
}
