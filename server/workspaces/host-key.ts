/**
 * Reads an SSH server's host key fingerprint without logging in, so a user can compare it
 * with one obtained out of band and pin it ("trust once"). The handshake is aborted right
 * after the key is seen: no credentials are sent.
 */
import { Client } from "ssh2";
import { AppError } from "../errors";
import { sshFingerprint } from "../hosts/fingerprint";

export async function probeHostKey(host: string, port: number, timeoutMs = 10_000): Promise<{ fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    let seen: string | undefined;
    const finish = () => {
      c.end();
      if (seen) resolve({ fingerprint: seen });
      else
        reject(
          new AppError(
            "WORKSPACE_HOST_UNREACHABLE",
            `Cannot reach ${host}:${port} over SSH.`,
            "Check the host name, port and network.",
          ),
        );
    };
    c.on("error", (err: Error) => {
      if (seen) return finish();
      reject(
        new AppError(
          "WORKSPACE_HOST_UNREACHABLE",
          `Cannot reach ${host}:${port} over SSH (${err.message}).`,
          "Check the host name, port and network.",
        ),
      );
    });
    c.connect({
      host,
      port,
      username: "aicockpit-host-key-probe",
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        seen = sshFingerprint(key);
        setImmediate(finish);
        return false; // stop here: we only wanted the key
      },
    });
  });
}
