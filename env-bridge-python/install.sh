#!/usr/bin/env bash
# Installs the Python side of the Worldgate env bridge. Idempotent and quiet:
# one line per step, a clear message on failure, ~1 s when nothing changed.
#
#   env-bridge-python/install.sh            # venv at <repo>/.venv
#   WORLDGATE_VENV=/path/venv install.sh    # another venv location
#   WORLDGATE_PYTHON=/usr/bin/python3.11    # another interpreter (must be 3.11)
#   install.sh --force                      # ignore the stamp
#
# Steps: Debian GL libraries for headless MuJoCo (root only) -> venv ->
# pip install -e env-bridge-python[test] -> gRPC stubs from proto/ -> stamp.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
VENV="${WORLDGATE_VENV:-$REPO/.venv}"
PY="$VENV/bin/python"
STAMP="$VENV/.worldgate-env-bridge.stamp"
LOG="${TMPDIR:-/tmp}/worldgate-env-bridge-install.$(id -u).log"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

say() { printf 'env-bridge: %s\n' "$*"; }
fail() {
  printf 'env-bridge: FAILED: %s\n' "$1" >&2
  if [[ -s "$LOG" ]]; then
    printf 'env-bridge: last lines of %s:\n' "$LOG" >&2
    tail -n 25 "$LOG" | sed 's/^/    /' >&2
  fi
  exit 1
}

# One installer at a time per repo (the launcher may run demo and test together).
LOCK="${TMPDIR:-/tmp}/worldgate-env-bridge-$(printf '%s' "$REPO" | sha1sum | cut -c1-12).lock"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$LOCK"
  flock -w 900 9 || fail "another install.sh holds $LOCK for more than 15 minutes"
fi

: >"$LOG"

# 1. Headless GL for MuJoCo rendering (MUJOCO_GL=osmesa).
missing=()
for pkg in libosmesa6 libgl1; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    : >"$LOG"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >>"$LOG" 2>&1 \
      || fail "apt-get install ${missing[*]}"
    say "installed ${missing[*]} (headless MuJoCo rendering)"
  else
    say "WARNING: ${missing[*]} missing and not root; MuJoCo pixels need: apt-get install libosmesa6 libgl1"
  fi
fi

# Stamp: what the install depends on.
hash_inputs() {
  {
    cat "$HERE/pyproject.toml" "$HERE/install.sh"
    find "$REPO/proto" -name '*.proto' -type f -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0 -r cat
  } | sha256sum | cut -d' ' -f1
}
WANT="$(hash_inputs)"
GEN="$HERE/src/worldgate_envs/_proto"
if ((FORCE == 0)) && [[ -x "$PY" && -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" \
      && -f "$GEN/env_bridge_pb2.py" && -f "$GEN/env_bridge_pb2_grpc.py" ]]; then
  say "up to date ($VENV)"
  exit 0
fi

# 2. The virtual environment (Python 3.11).
if [[ ! -x "$PY" ]]; then
  BASE="${WORLDGATE_PYTHON:-}"
  if [[ -z "$BASE" ]]; then
    for cand in python3.11 python3; do
      if command -v "$cand" >/dev/null 2>&1 \
         && "$cand" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
        BASE="$(command -v "$cand")"; break
      fi
    done
  fi
  [[ -n "$BASE" ]] || fail "Python 3.11 not found (set WORLDGATE_PYTHON=/path/to/python3.11)"
  command -v "$BASE" >/dev/null 2>&1 || fail "WORLDGATE_PYTHON=$BASE is not an executable"
  : >"$LOG"
  "$BASE" -m venv "$VENV" >>"$LOG" 2>&1 || fail "python -m venv $VENV (is the venv module installed? apt-get install python3.11-venv)"
  say "created venv $VENV ($("$PY" -c 'import platform; print(platform.python_version())'))"
fi

# 3. The package, its simulator pins and pytest.
: >"$LOG"
"$PY" -m pip install --disable-pip-version-check --no-input -q -e "$HERE[test]" >>"$LOG" 2>&1 \
  || fail "pip install -e env-bridge-python[test] (network to PyPI needed on the first run)"
say "installed worldgate-env-bridge[test] into $VENV"

# 4. Python gRPC stubs from proto/ (gitignored, regenerated when proto changes).
"$PY" -m worldgate_envs codegen --quiet >>"$LOG" 2>&1 || fail "gRPC stub generation from $REPO/proto"
say "generated gRPC stubs from proto/worldgate/env/v1/env_bridge.proto"

# 5. Stamp.
printf '%s' "$WANT" >"$STAMP"
say "ready ($PY)"
