#!/usr/bin/env bash
# The offline bundle for GPU nodes that have their own torch and no network (docs/cluster.md, "Air-gapped
# GPU nodes"): a wheelhouse of exactly the pinned dependencies such a node lacks, slimmed of what Python never
# loads, and its size beside the project's. Run it here (pip reaches an index); carry the folder and the
# checkout to the node; there, `bash scripts/setup.sh --offline DIR ...` installs it without network.
#   bash scripts/bundle.sh [--out DIR] [--python 3.12] [--platform TAG ...] [--have node-freeze.txt]
# --have: the node's `python3 -m pip list --format=freeze` (default configs/cluster/h200-node.txt).
# --out: default ./.bundle (git-ignored). The resolver and its rules: cluster/bundle.py.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Runs in the project's environment: DeepSpeed, published as source only, is built into a wheel here
# against its torch (a pure-Python wheel; its CUDA ops are JIT-built on the node when used).
exec bash "$ROOT/scripts/setup.sh" python -m cluster.bundle build "$@"
