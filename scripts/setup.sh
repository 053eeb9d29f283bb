#!/usr/bin/env bash
# Idempotent set-up of biasgen's Python environment, then run the given command inside it:
#   bash scripts/setup.sh python launch.py data check
# Uses the active virtualenv if there is one, else ./.venv (created on first use). torch is pinned and
# installed first: an unpinned torch pulls a multi-GB CUDA build. Re-runs are no-ops until setup.cfg
# or this script changes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

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
export TORCH_EXTENSIONS_DIR=${TORCH_EXTENSIONS_DIR:-$ROOT/.cache/torch_extensions}
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
  if [ "${DS_ACCELERATOR:-cpu}" = cpu ]; then
    echo "setup: building DeepSpeed's CPU comm op into $TORCH_EXTENSIONS_DIR" >&2
    DS_ACCELERATOR=cpu "$PY" -c "from deepspeed.ops.op_builder.cpu import ShareMemCommBuilder; ShareMemCommBuilder().load()" >/dev/null 2>&1 \
      || echo "setup: warning: DeepSpeed comm op did not build; it will be built on first use" >&2
  fi
  echo "$WANT" > "$STAMP"
  echo "setup: done in $((SECONDS - t0)) s" >&2
fi

export VIRTUAL_ENV=$VENV PATH=$VENV/bin:$PATH
if [ $# -gt 0 ]; then exec "$@"; fi
