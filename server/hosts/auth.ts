/**
 * Login material for one hop, built per connection and dropped after the handshake. The
 * passphrase / password come from the request (the extension's SecretStorage); nothing
 * is kept. Agent forwarding is always off.
 */
import type { ConnectConfig } from "ssh2";
import { utils } from "ssh2";
import type { HostCredentials, HostView } from "../api/hosts";
import { AppError } from "../errors";
import { readKeyFile } from "./key-file";

export function secretRequired(host: HostView, what: "passphrase" | "password"): AppError {
  return new AppError(
    "HOST_SECRET_REQUIRED",
    what === "passphrase"
      ? `The private key for ${host.id} is encrypted: its passphrase is needed to connect.`
      : `Host ${host.id} uses password login: the password is needed to connect.`,
    `Send credentials["${host.id}"].${what} (the extension keeps it in SecretStorage).`,
  );
}

export function authConfig(
  host: HostView,
  creds: HostCredentials | undefined,
  agentSocket: string | undefined,
): Partial<ConnectConfig> {
  const base: Partial<ConnectConfig> = { agentForward: false, tryKeyboard: false };
  switch (host.auth.kind) {
    case "key": {
      const data = readKeyFile(host.auth.privateKeyPath);
      const parsed = utils.parseKey(data, creds?.passphrase);
      if (parsed instanceof Error) {
        if (/encrypted|passphrase/i.test(parsed.message)) {
          if (creds?.passphrase === undefined) throw secretRequired(host, "passphrase");
          throw new AppError(
            "HOST_AUTH_FAILED",
            `The passphrase for the private key of ${host.id} is wrong.`,
            "Enter the key's passphrase again.",
          );
        }
        throw new AppError(
          "HOST_KEY_FILE_REJECTED",
          `The private key file of ${host.id} cannot be used (${parsed.message.slice(0, 120)}).`,
          "Point auth.privateKeyPath at an OpenSSH or PEM private key.",
        );
      }
      // ssh2 takes only the file's bytes (it decrypts again itself); parsing above gave the clear error
      return {
        ...base,
        privateKey: data,
        ...(creds?.passphrase !== undefined ? { passphrase: creds.passphrase } : {}),
      };
    }
    case "agent": {
      if (!agentSocket)
        throw new AppError(
          "HOST_AUTH_FAILED",
          `Host ${host.id} uses ssh-agent, but the backend has no SSH_AUTH_SOCK.`,
          "Start ssh-agent and launch VS Code (the backend) from that session.",
        );
      return { ...base, agent: agentSocket };
    }
    case "password":
      if (creds?.password === undefined) throw secretRequired(host, "password");
      return { ...base, password: creds.password };
  }
}
