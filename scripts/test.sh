#!/usr/bin/env bash
# `npm test`: typecheck, lint (ESLint, and the Prettier check once the tree is formatted), build, unit tests, integration tests against real infrastructure
# (scripts/test-infra.sh: dockerd + sshd, stopped again on exit), then the E2E tests in a
# real VS Code (code-server + Chromium). Exits non-zero when anything failed.
#
# Under CI=true nothing may be skipped: missing infrastructure, code-server or Chromium
# fail their suites, and any skipped test fails the run.
#
# Env: TEST_STAGES="typecheck lint build unit integration e2e" to run a subset (not under CI).
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
AIC_LOG_TAG=test

IN_CI=false
case "${CI:-}" in true | 1) IN_CI=true ;; esac
ALL_STAGES="typecheck lint build unit integration e2e"
STAGES="${TEST_STAGES:-$ALL_STAGES}"
if $IN_CI && [ "$STAGES" != "$ALL_STAGES" ]; then
  aic_log "CI=true: TEST_STAGES is ignored, every stage runs"
  STAGES="$ALL_STAGES"
fi

LOG_DIR=.test-artifacts/logs
mkdir -p "$LOG_DIR"
rm -f "$LOG_DIR"/*.log # the summary sums this run's stage logs only
T0=$(aic_now)
results=()   # "stage status seconds"
failed=0
infra_started=false

cleanup() {
  if $infra_started; then
    infra_started=false
    bash scripts/test-infra.sh down || aic_log "test-infra down failed"
  fi
}
trap cleanup EXIT
trap 'aic_log "interrupted"; exit 130' INT TERM

has_tests() { [ -d "$1" ] && [ -n "$(find "$1" -name '*.test.ts' -print -quit)" ]; }

# stage NAME CMD...: runs CMD with its output shown and kept in $LOG_DIR/NAME.log
stage() {
  local name="$1" t rc
  shift
  printf '\n===== %s =====\n' "$name"
  t=$(aic_now)
  "$@" 2>&1 | tee "$LOG_DIR/$name.log"
  rc=${PIPESTATUS[0]}
  local secs
  secs=$(aic_since "$t")
  if [ "$rc" = 0 ]; then
    results+=("$name ok $secs")
  else
    results+=("$name FAILED(exit=$rc) $secs")
    failed=1
  fi
  printf '===== %s: %s in %s s =====\n' "$name" "$([ "$rc" = 0 ] && echo ok || echo "FAILED (exit $rc)")" "$secs"
  return "$rc"
}

want() { case " $STAGES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

run_tests() { node scripts/run-tests.mjs "$@"; }
# E2E files run two at a time: each has its own code-server, browser profile and free ports
# (test/e2e/harness), and most of a suite's time is waiting on VS Code, so two share 2 cores well.
run_e2e() { TEST_CONCURRENCY="${AIC_E2E_CONCURRENCY:-2}" node scripts/run-tests.mjs "$@"; }

with_infra_env() {
  # DOCKER_HOST & co. in the environment, for tests that use `new Docker()` defaults
  (
    set -a
    # shellcheck disable=SC1090
    . "$INFRA_ENV"
    set +a
    "$@"
  )
}

INFRA_ENV=""
infra_up() {
  if bash scripts/test-infra.sh status >/dev/null 2>&1; then
    aic_log "test infrastructure already running: reusing it (not stopping it afterwards)"
  else
    local t
    t=$(aic_now)
    if ! bash scripts/test-infra.sh up >/dev/null; then
      aic_log "test infrastructure did not come up"
      $IN_CI && failed=1
      return 1
    fi
    infra_started=true
    results+=("infra-up ok $(aic_since "$t")")
  fi
  INFRA_ENV="$(bash scripts/test-infra.sh status | sed -n 's/^up: //p')"
  export AICOCKPIT_INFRA_ENV="$INFRA_ENV"
}

if want typecheck; then stage typecheck npm run --silent typecheck; fi

# ESLint (rules and import boundaries: eslint.config.mjs), then the Prettier check (`npm run format` fixes it).
lint() {
  npm run --silent lint || return 1
  npm run --silent format:check || return 1
}
if want lint; then stage lint lint; fi
build_ok=true
if want build; then stage build npm run --silent build || build_ok=false; fi

if ! $build_ok; then
  aic_log "build failed: skipping the test stages"
else
  if want unit; then
    if has_tests test/unit; then stage unit run_tests test/unit; else aic_log "no unit tests"; fi
  fi

  if want integration || want e2e; then
    printf '\n===== infra =====\n'
    infra_up || true
  fi

  if want integration; then
    if has_tests test/integration; then
      if [ -n "$INFRA_ENV" ]; then
        stage integration with_infra_env run_tests test/integration
      else
        stage integration run_tests test/integration
      fi
    else
      aic_log "no integration tests"
    fi
  fi

  if want e2e && has_tests test/e2e; then
    # package the .vsix once for all E2E files (a production build into dist/)
    if stage package npm run --silent package; then
      export AICOCKPIT_VSIX="$PWD/dist/aicockpit.vsix"
      if [ -n "$INFRA_ENV" ]; then
        stage e2e with_infra_env run_e2e test/e2e
      else
        stage e2e run_e2e test/e2e
      fi
    fi
  fi
fi

cleanup

# ---- summary: per-stage timings, then node's closing summary lines summed over the test stages
printf '\n===== summary (%s s) =====\n' "$(aic_since "$T0")"
for r in "${results[@]}"; do
  # shellcheck disable=SC2086
  set -- $r
  printf '%-12s %-20s %8s s\n' "$1" "$2" "$3"
done
declare -A sum=()
keys="tests suites pass fail cancelled skipped todo duration_ms"
for k in $keys; do sum[$k]=0; done
for f in "$LOG_DIR"/unit.log "$LOG_DIR"/integration.log "$LOG_DIR"/e2e.log; do
  [ -f "$f" ] || continue
  for k in $keys; do
    v=$(grep -E "^ℹ $k [0-9.]+$" "$f" | tail -1 | awk '{print $3}')
    [ -n "$v" ] && sum[$k]=$(awk -v a="${sum[$k]}" -v b="$v" 'BEGIN { print a + b }')
  done
done
if $IN_CI && [ "${sum[skipped]}" != 0 ]; then
  aic_log "CI=true: ${sum[skipped]} test(s) were skipped; that is a failure here"
  grep -hE "# SKIP|﹣" "$LOG_DIR"/unit.log "$LOG_DIR"/integration.log "$LOG_DIR"/e2e.log 2>/dev/null | head -20
  failed=1
fi
verdict="npm test: ok"
[ "$failed" != 0 ] && verdict="npm test: FAILED"
echo "$verdict"
echo "----- node test runner totals over all test stages -----"
for k in $keys; do printf 'ℹ %s %s\n' "$k" "${sum[$k]}"; done
exit "$failed"
