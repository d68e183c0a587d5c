# Shared bits for the bash helpers in scripts/. Source it; it defines no side effects.
# shellcheck shell=bash

AIC_CODE_SERVER_VERSION="${AIC_CODE_SERVER_VERSION:-4.100.3}"

# The cache lives outside the repo (code-server is ~400 MB and not a project dependency).
# Under sudo, HOME is root's: use the invoking user's home so that a later non-root
# `npm start` finds what `sudo bash scripts/install-deps.sh` installed.
aic_cache_dir() {
  if [ -n "${AICOCKPIT_CACHE:-}" ]; then
    printf '%s\n' "$AICOCKPIT_CACHE"
    return
  fi
  local home="$HOME"
  if [ "$(id -u)" = 0 ] && [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
    home="$(getent passwd "$SUDO_USER" | cut -d: -f6)"
  fi
  printf '%s\n' "${home:-/root}/.cache/aicockpit"
}

aic_code_server_dir() { printf '%s/code-server-%s\n' "$(aic_cache_dir)" "$AIC_CODE_SERVER_VERSION"; }
aic_code_server_bin() { printf '%s/node_modules/.bin/code-server\n' "$(aic_code_server_dir)"; }

# The Gemini CLI for the ticket agents' gemini-cli adapter (server/tickets/gemini/install.ts
# pins the same version and looks in the same folder).
AIC_GEMINI_CLI_VERSION="${AIC_GEMINI_CLI_VERSION:-0.61.0}"
aic_gemini_cli_dir() { printf '%s/gemini-cli-%s\n' "$(aic_cache_dir)" "$AIC_GEMINI_CLI_VERSION"; }

aic_now() { date +%s.%N; }
# aic_since START -> seconds with one decimal
aic_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

aic_log() { printf '[%s] %s\n' "${AIC_LOG_TAG:-aicockpit}" "$*" >&2; }
aic_die() { aic_log "ERROR: $*"; exit 1; }
