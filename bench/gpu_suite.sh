#!/usr/bin/env bash
# The GPU checks in one run (about 5 minutes on one H100/H200): bf16 training tokens/s and MFU of a 125M model,
# our Engine against a plain PyTorch loop on the same GPU (ZeRO-0 and ZeRO-2), and batched vs one-at-a-time
# generation. Each line it prints is a measurement; logs go to ${OUT:-.}/gpu_*.log.
#   bash bench/gpu_suite.sh
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-.}
export PYTHONUNBUFFERED=1
nvidia-smi -L
python3 -c "import torch, transformers, deepspeed; print('torch', torch.__version__, 'transformers', transformers.__version__, 'deepspeed', deepspeed.__version__)"
run() {  # name, command...: the command's log kept whole, its last lines shown
  local name=$1; shift
  echo "== $name"
  "$@" >"$out/gpu_$name.log" 2>&1; local rc=$?
  grep -E "gpu_check:|throughput|median step|generation|identical|Error|error" "$out/gpu_$name.log" | tail -6
  [ $rc -eq 0 ] || echo "$name: exit $rc"
}
run mfu python3 bench/gpu_check.py --steps 100 --warmup 10
run engine_zero0 python3 bench/train_throughput.py --device cuda --size 125m --precision bf16 --batch 16 --seq 1024 \
  --vocab 32000 --steps 30 --warmup 5 --rounds 2
run engine_zero2 python3 bench/train_throughput.py --device cuda --size 125m --precision bf16 --zero 2 --batch 16 \
  --seq 1024 --vocab 32000 --steps 30 --warmup 5 --rounds 2
run generation python3 bench/eval_throughput.py --device cuda --size 125m --prompts 128 --max-new-tokens 64 --batch-size 64
