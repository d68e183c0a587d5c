#!/usr/bin/env bash
# Installs everything AiCockpit's start and test commands need on a fresh Debian
# (bookworm) machine: Debian packages (as root; re-runs itself under sudo when needed),
# then code-server and the pinned Gemini CLI into a cache folder outside the repo. Idempotent: a second run only
# checks and is done in well under a second.
#
#   bash scripts/install-deps.sh
#
# Env: AICOCKPIT_CACHE (default ~/.cache/aicockpit of the invoking user),
#      AICOCKPIT_SKIP_CODE_SERVER=1 / AICOCKPIT_SKIP_GEMINI_CLI=1 to leave those out.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
AIC_LOG_TAG=install-deps

T0=$(aic_now)
did=()

# --- Node: the machine's Node 20 is what code-server 4.100.3 demands; Debian's is 18.
command -v node >/dev/null 2>&1 || aic_die "node not found: this project needs Node.js 20 (>=20.18) on PATH"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || aic_log "WARNING: node $(node -v); code-server ${AIC_CODE_SERVER_VERSION} expects Node 20"

# --- Debian packages
# docker.io/busybox-static/openssh-server: the test infrastructure (scripts/test-infra.sh)
# chromium (+ a font, for readable screenshots): E2E browser; ripgrep: code-server's search (and its install, see below)
# libkrb5-dev + build tools: code-server's native addons (kerberos, node-pty, argon2)
pkgs=(docker.io busybox-static openssh-server openssh-client chromium ripgrep libkrb5-dev
      git ca-certificates curl procps iproute2 tar gzip fonts-dejavu-core
      python3 make g++ pkg-config)
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  # Only apt needs root; code-server goes into the user's cache folder.
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      aic_log "missing ${missing[*]}: re-running under sudo for apt-get"
      exec sudo -E bash "$0" "$@"
    fi
    aic_die "missing Debian packages (${missing[*]}): run as root: sudo bash scripts/install-deps.sh"
  fi
  t=$(aic_now)
  aic_log "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q </dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
  did+=("apt: ${#missing[@]} packages ($(aic_since "$t") s)")
else
  aic_log "apt: all ${#pkgs[@]} packages already installed"
fi

# --- code-server
if [ "${AICOCKPIT_SKIP_CODE_SERVER:-}" = 1 ]; then
  aic_log "code-server: skipped (AICOCKPIT_SKIP_CODE_SERVER=1)"
else
  cs_dir=$(aic_code_server_dir)
  cs_bin=$(aic_code_server_bin)
  if [ -f "$cs_dir/.installed" ] && [ -x "$cs_bin" ]; then
    aic_log "code-server ${AIC_CODE_SERVER_VERSION}: already in $cs_dir"
  else
    t=$(aic_now)
    aic_log "code-server ${AIC_CODE_SERVER_VERSION}: installing into $cs_dir"
    # @vscode/ripgrep's postinstall downloads rg from GitHub, which this network refuses;
    # it looks in this cache first, so give it Debian's rg under the expected name.
    rg_arch=$(uname -m)
    case "$rg_arch" in
      x86_64) rg_target=x86_64-unknown-linux-musl ;;
      aarch64) rg_target=aarch64-unknown-linux-musl ;;
      *) rg_target="$rg_arch-unknown-linux-gnu" ;;
    esac
    tmp=$(node -p 'require("os").tmpdir()')
    rg_cache="$tmp/vscode-ripgrep-cache-1.15.11"
    mkdir -p "$rg_cache"
    # rg must sit at the archive root, named rg (that is what the postinstall extracts).
    tar czf "$rg_cache/ripgrep-v13.0.0-10-$rg_target.tar.gz" -C /usr/bin rg

    staging="$cs_dir.partial.$$"
    rm -rf "$staging"
    mkdir -p "$staging"
    # allowScripts: newer npm versions skip dependency install scripts not listed there.
    printf '{"name":"aicockpit-code-server","private":true,"allowScripts":{"code-server":true,"argon2":true}}\n' \
      >"$staging/package.json"
    # nodedir=/usr: node-gyp builds against the system headers instead of downloading them.
    # yes=true: node-pty's postinstall runs npx. --unsafe-perm: lifecycle scripts as root.
    if ! (cd "$staging" && npm_config_nodedir=/usr npm_config_yes=true npm_config_update_notifier=false \
          npm_config_fund=false npm_config_audit=false \
          npm install --no-save --unsafe-perm --loglevel=warn "code-server@${AIC_CODE_SERVER_VERSION}" </dev/null); then
      rm -rf "$staging"
      aic_die "code-server install failed (see npm output above)"
    fi
    [ -x "$staging/node_modules/.bin/code-server" ] || aic_die "code-server installed without its bin"
    rm -rf "$cs_dir"
    mv "$staging" "$cs_dir"
    date -u +%FT%TZ >"$cs_dir/.installed"
    if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ] && [ -z "${AICOCKPIT_CACHE:-}" ]; then
      chown -R "$SUDO_USER:" "$(aic_cache_dir)"
    fi
    did+=("code-server ${AIC_CODE_SERVER_VERSION} ($(aic_since "$t") s)")
  fi
  # (not `code-server --version`: that writes ~/.config/code-server/config.yaml)
  aic_log "code-server $(node -p "require('$cs_dir/node_modules/code-server/package.json').version") at $cs_bin"
fi

# --- Gemini CLI (ticket agents; the integration tests run it offline). Same folder and
# flags as the backend's on-demand install; --ignore-scripts: it is one prebuilt bundle.
if [ "${AICOCKPIT_SKIP_GEMINI_CLI:-}" = 1 ]; then
  aic_log "gemini-cli: skipped (AICOCKPIT_SKIP_GEMINI_CLI=1)"
else
  gm_dir=$(aic_gemini_cli_dir)
  gm_pkg="$gm_dir/node_modules/@google/gemini-cli/package.json"
  if [ -f "$gm_pkg" ] && [ "$(node -p "require('$gm_pkg').version")" = "$AIC_GEMINI_CLI_VERSION" ]; then
    aic_log "gemini-cli ${AIC_GEMINI_CLI_VERSION}: already in $gm_dir"
  else
    t=$(aic_now)
    staging="$gm_dir.partial.$$"
    rm -rf "$staging"
    mkdir -p "$staging"
    printf '{"name":"aicockpit-gemini-cli","private":true}\n' >"$staging/package.json"
    (cd "$staging" && npm_config_update_notifier=false npm install --no-save --ignore-scripts --no-audit --no-fund \
      --loglevel=warn "@google/gemini-cli@${AIC_GEMINI_CLI_VERSION}" </dev/null) ||
      { rm -rf "$staging"; aic_die "gemini-cli install failed (see npm output above)"; }
    rm -rf "$gm_dir"
    mv "$staging" "$gm_dir"
    if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ] && [ -z "${AICOCKPIT_CACHE:-}" ]; then
      chown -R "$SUDO_USER:" "$(aic_cache_dir)"
    fi
    did+=("gemini-cli ${AIC_GEMINI_CLI_VERSION} ($(aic_since "$t") s)")
  fi
fi

if [ ${#did[@]} -eq 0 ]; then
  aic_log "nothing to do; total $(aic_since "$T0") s"
else
  for d in "${did[@]}"; do aic_log "installed: $d"; done
  aic_log "total $(aic_since "$T0") s"
fi
