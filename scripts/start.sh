#!/usr/bin/env bash
# `npm start [-- FOLDER]`: builds and packages the extension, installs it into a real
# VS Code (code-server, installed into the cache folder when missing) and serves that
# VS Code on http://127.0.0.1:PORT, opened on FOLDER (default: the current directory).
# The extension spawns its backend as soon as the page is opened in a browser.
#
# Env: AICOCKPIT_START_PORT (default 8765; a free port is used when it is taken),
#      AICOCKPIT_START_PROFILE (default <cache>/start-profile: settings and extensions
#      persist between starts), AICOCKPIT_NO_BROWSER=1 to never open a browser.
#
# Desktop VS Code instead: `npm run package && code --install-extension dist/aicockpit.vsix`
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FOLDER="$(cd "${1:-${INIT_CWD:-$PWD}}" && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
AIC_LOG_TAG=start

T0=$(aic_now)
CS="$(aic_code_server_bin)"
if [ ! -x "$CS" ]; then
  aic_log "code-server ${AIC_CODE_SERVER_VERSION} not installed yet: running scripts/install-deps.sh"
  bash scripts/install-deps.sh
fi

aic_log "building and packaging the extension"
pkg_log=$(mktemp)
if ! npm run --silent package >"$pkg_log" 2>&1; then
  cat "$pkg_log" >&2
  aic_die "npm run package failed"
fi
rm -f "$pkg_log"
VSIX="$ROOT/dist/aicockpit.vsix"
[ -f "$VSIX" ] || aic_die "packaging did not produce $VSIX"

PROFILE="${AICOCKPIT_START_PROFILE:-$(aic_cache_dir)/start-profile}"
mkdir -p "$PROFILE/user-data/User" "$PROFILE/extensions" "$PROFILE/xdg-config" "$PROFILE/xdg-cache" "$PROFILE/xdg-data"
printf 'auth: none\ncert: false\n' >"$PROFILE/config.yaml"
SETTINGS="$PROFILE/user-data/User/settings.json"
if [ ! -f "$SETTINGS" ]; then
  # first start: a quiet workbench; AiCockpit opens its walkthrough to set up a model
  cat >"$SETTINGS" <<'EOF'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "chat.disableAIFeatures": true,
  "editor.inlineSuggest.enabled": true
}
EOF
fi

export XDG_CONFIG_HOME="$PROFILE/xdg-config" XDG_CACHE_HOME="$PROFILE/xdg-cache" XDG_DATA_HOME="$PROFILE/xdg-data"
COMMON=(--config "$PROFILE/config.yaml" --user-data-dir "$PROFILE/user-data" --extensions-dir "$PROFILE/extensions")
"$CS" "${COMMON[@]}" --force --install-extension "$VSIX" >/dev/null
aic_log "installed $(basename "$VSIX") into $PROFILE/extensions"

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
PORT="${AICOCKPIT_START_PORT:-8765}"
if port_in_use "$PORT"; then
  PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  aic_log "port ${AICOCKPIT_START_PORT:-8765} is taken: using $PORT"
fi
URL="http://127.0.0.1:$PORT/?folder=$(node -p 'encodeURIComponent(process.argv[1])' "$FOLDER")"

"$CS" "${COMMON[@]}" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust "$FOLDER" &
CS_PID=$!
trap 'kill -TERM "$CS_PID" 2>/dev/null; wait "$CS_PID" 2>/dev/null' EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 300); do
  if curl -fsS --max-time 1 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
  kill -0 "$CS_PID" 2>/dev/null || aic_die "code-server exited; see the output above"
  sleep 0.1
done

cat <<EOF

  AiCockpit is running in VS Code (code-server $AIC_CODE_SERVER_VERSION), ready in $(aic_since "$T0") s.

    Open:    $URL
    Folder:  $FOLDER
    Profile: $PROFILE

  The backend starts when the page opens; the status bar shows "AiCockpit: <model>".
  Pick the AI service in Settings (search "aicockpit.provider").
  Stop with Ctrl+C.

EOF

if [ "${AICOCKPIT_NO_BROWSER:-}" != 1 ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  if command -v xdg-open >/dev/null 2>&1; then
    xdg-open "$URL" >/dev/null 2>&1 &
  elif command -v chromium >/dev/null 2>&1; then
    sandbox=(); [ "$(id -u)" = 0 ] && sandbox=(--no-sandbox) # Chromium refuses to run as root otherwise
    chromium --no-first-run --user-data-dir="$PROFILE/chromium" "${sandbox[@]}" "$URL" >/dev/null 2>&1 &
  fi
fi

# Ctrl+C reaches us directly; a plain `kill` of `npm start` is not passed on by npm,
# so also stop when the parent goes away (the EXIT trap ends code-server's tree).
PARENT=$PPID
while kill -0 "$CS_PID" 2>/dev/null; do
  if ! kill -0 "$PARENT" 2>/dev/null; then
    aic_log "parent process gone: stopping"
    exit 0
  fi
  sleep 1
done
wait "$CS_PID"
