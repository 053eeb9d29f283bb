#!/usr/bin/env bash
# Idempotent set-up of biasgen's Python environment, then run the given command inside it:
#   bash scripts/setup.sh python launch.py data check
# Uses the active virtualenv if there is one, else ./.venv (created on first use). torch is pinned and
# installed first: an unpinned torch pulls a multi-GB CUDA build. Re-runs are no-ops until setup.cfg
# or this script changes.
#
# Offline, on a GPU node that has its own torch (docs/cluster.md, "Air-gapped GPU nodes"):
#   bash scripts/setup.sh --offline BUNDLE [--site DIR] python launch.py sweep ...
# installs the wheels of BUNDLE (made by scripts/bundle.sh) with ${PYTHON:-python3} and --no-index into DIR
# (default ./.offline-site), which goes in front of the node's own packages; nothing of the node changes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export TORCH_EXTENSIONS_DIR=${TORCH_EXTENSIONS_DIR:-$ROOT/.cache/torch_extensions}

if [ "${1:-}" = --offline ]; then
  [ $# -ge 2 ] || { echo "error: --offline needs the bundle folder (made by scripts/bundle.sh)" >&2; exit 2; }
  BUNDLE=$(cd "$2" 2>/dev/null && pwd) || { echo "error: --offline: no folder $2" >&2; exit 2; }
  shift 2
  SITE=$ROOT/.offline-site
  if [ "${1:-}" = --site ]; then
    [ $# -ge 2 ] || { echo "error: --site needs a folder" >&2; exit 2; }
    SITE=$(realpath -m "$2"); shift 2
  fi
  [ -f "$BUNDLE/bundle.json" ] || { echo "error: --offline: $BUNDLE has no bundle.json (make it with scripts/bundle.sh)" >&2; exit 2; }
  PY=${PYTHON:-python3}
  want=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  have=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["python"])' "$BUNDLE/bundle.json")
  [ "$want" = "$have" ] || { echo "error: --offline: the bundle is for Python $have, $PY is $want (scripts/bundle.sh --python $want)" >&2; exit 2; }
  "$PY" -c 'import torch' 2>/dev/null || { echo "error: --offline: $PY has no torch; the bundle keeps the node's own and carries none" >&2; exit 2; }
  STAMP=$SITE/.biasgen-bundle
  WANT=$(cat "$BUNDLE/bundle.json" | sha256sum | cut -c1-16)
  if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
    if [ -d "$SITE" ] && [ ! -f "$STAMP" ] && [ -n "$(ls -A "$SITE")" ]; then
      echo "error: --site: $SITE holds files that no bundle put there; name an empty or new folder" >&2; exit 2
    fi
    t0=$SECONDS
    echo "setup: installing $(ls "$BUNDLE"/*.whl | wc -l) wheels from $BUNDLE into $SITE (no network)" >&2
    rm -rf "$SITE.tmp" && mkdir -p "$SITE.tmp"
    PIP_NO_INDEX=1 "$PY" -m pip install -q --disable-pip-version-check --no-index --no-deps --no-compile \
      --no-warn-script-location --target "$SITE.tmp" "$BUNDLE"/*.whl
    echo "$WANT" > "$SITE.tmp/.biasgen-bundle"
    rm -rf "$SITE" && mv "$SITE.tmp" "$SITE"
    echo "setup: done in $((SECONDS - t0)) s" >&2
  fi
  export PYTHONPATH=$SITE:$ROOT${PYTHONPATH:+:$PYTHONPATH} PATH=$SITE/bin:$PATH
  # Every requirement of every bundled package met by the node and the bundle together, else a warning line
  # each: a clash with a node package whose version the bundle could not know may still work, and a node
  # lent for minutes should not be lost to one (scripts/bundle.sh --have with the node's freeze avoids them).
  "$PY" -m cluster.bundle verify "$SITE" || echo "setup: warning: the node's packages and the bundle clash (above); going on" >&2
  if [ $# -gt 0 ]; then
    [ "$1" = python ] && shift && set -- "$PY" "$@"
    exec "$@"
  fi
  exit 0
fi

if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
  VENV=$VIRTUAL_ENV
else
  VENV=$ROOT/.venv
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "biasgen needs Python >= 3.11, found " + sys.version.split()[0])'
    echo "setup: creating $VENV" >&2
    python3 -m venv "$VENV"
  fi
fi
PY=$VENV/bin/python
STAMP=$VENV/.biasgen-setup
WANT=$(cat setup.cfg scripts/setup.sh | sha256sum | cut -c1-16)

if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  t0=$SECONDS
  echo "setup: installing into $VENV (torch first, pinned)" >&2
  "$PY" -m pip install -q --disable-pip-version-check -U pip setuptools wheel
  "$PY" -m pip install -q --disable-pip-version-check torch==2.13.0
  "$PY" -m pip install -q --disable-pip-version-check -e ".[test]"
  # DeepSpeed JIT-compiles its shared-memory comm op on first init (30-50 s); pay it here, once per
  # checkout, not inside a test timeout. GPU machines use NCCL and skip it.
  # With the environment's tools first on PATH, as every command below runs: torch rebuilds the op when the
  # ninja that built it differs (the system's and the environment's are different versions).
  if [ "${DS_ACCELERATOR:-cpu}" = cpu ]; then
    echo "setup: building DeepSpeed's CPU comm op into $TORCH_EXTENSIONS_DIR" >&2
    PATH=$VENV/bin:$PATH DS_ACCELERATOR=cpu "$PY" -c "from deepspeed.ops.op_builder.cpu import ShareMemCommBuilder; ShareMemCommBuilder().load()" >/dev/null 2>&1 \
      || echo "setup: warning: DeepSpeed comm op did not build; it will be built on first use" >&2
  fi
  echo "$WANT" > "$STAMP"
  echo "setup: done in $((SECONDS - t0)) s" >&2
fi

export VIRTUAL_ENV=$VENV PATH=$VENV/bin:$PATH
if [ $# -gt 0 ]; then exec "$@"; fi
