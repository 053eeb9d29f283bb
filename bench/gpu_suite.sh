#!/usr/bin/env bash
# The GPU suite (issue #19): one command of at most 8 minutes on one GPU that runs the product, not only its
# kernels, and leaves few files behind (a device machine brings back at most eight):
#   (a) training: our Engine against a plain PyTorch loop (bench/train_throughput.py) and the Engine's
#       tokens/s, MFU and peak memory (bench/gpu_check.py), 125M and 350M parameters, bf16, seq 1024;
#   (b) generation: batched against one prompt at a time, 125M (bench/eval_throughput.py);
#   (c) the product: `launch.py sweep science-gpu` (Ray Tune, Ray Train, DeepSpeed bf16 on NCCL, MLflow on
#       sqlite; six trials of 2-87M parameters, configs/sweeps/science-gpu.yaml), then `launch.py analyze`.
# Each part runs under its own `timeout` (SIGINT, then SIGKILL 30 s later), within one time budget, so a
# hang costs that part only; a sweep stopped by its timeout keeps its finished trials, which analyze reads.
#
#   bash bench/gpu_suite.sh                     install the offline bundle (.bundle/) into a temporary site
#                                               folder (scripts/setup.sh --offline), then run (a), (b), (c)
#   bash bench/gpu_suite.sh --bundle DIR        another bundle folder (built by scripts/bundle.sh --out DIR)
#   bash bench/gpu_suite.sh --no-bundle         use the current environment's ${PYTHON:-python3} as it is
#   bash bench/gpu_suite.sh --cpu --no-bundle   the suite's plumbing where there is no GPU: gpu_check skipped,
#                                               (a) and (b) tiny on the CPU, the same sweep with CPU overrides
#                                               (fp32, no GPU, a 0.2M model, two trials); ~3 minutes on 2 cores
#   options: --out DIR (default $OUT, else outputs/gpu-suite); --only PARTS (a comma list of mfu, engine,
#   generation, sweep); --budget SECONDS (default 460); --work DIR (kept, and a rerun there continues its
#   sweep; default a temporary folder, removed at the end); after `--`, overrides for the sweep
#   (`-- set.data.tokens=1000000`).
#
# The output folder (files replaced as a whole, written beside and renamed):
#   gpu_suite.log        everything printed: each part's measurement lines, the sweep's console, the summary
#   sweep_table.txt      `launch.py analyze`: held-out gain per condition, and the fits
#   report.html          the analysis report, every figure embedded
#   gain_vs_params.png, gain_vs_mix.png    the sweep's two main figures
#   science-gpu.tar.gz   the MLflow store (mlflow.db, mlartifacts/), the sweep's folder (runs/science-gpu/,
#                        with sweep.log), the analysis folder (analysis/) and every part's full log (logs/)
# Exit status: 0 when every part that ran succeeded, 1 otherwise (the files are written either way), 2 for a
# bad option.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cpu=false bundle=$repo/.bundle use_bundle=true out=${OUT:-} only=mfu,engine,generation,sweep budget=460 work=""
sweep_overrides=()
usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "gpu_suite: error: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --cpu) cpu=true ;;
    --no-bundle) use_bundle=false ;;
    --bundle) [ $# -ge 2 ] || die "--bundle: expected a folder"; bundle=$2; shift ;;
    --out) [ $# -ge 2 ] || die "--out: expected a folder"; out=$2; shift ;;
    --work) [ $# -ge 2 ] || die "--work: expected a folder"; work=$2; shift ;;
    --only) [ $# -ge 2 ] || die "--only: expected a comma list of mfu, engine, generation, sweep"; only=$2; shift ;;
    --budget)
      [[ ${2:-} =~ ^[0-9]+$ ]] || die "--budget: expected a number of seconds, got '${2:-}'"; budget=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; sweep_overrides=("$@"); break ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done
for p in ${only//,/ }; do
  case $p in mfu | engine | generation | sweep) ;; *) die "--only: unknown part '$p' (expected mfu, engine, generation, sweep)" ;; esac
done
wants() { [[ ",$only," == *",$1,"* ]]; }
if $use_bundle; then
  [ -d "$bundle" ] || die "no bundle folder at $bundle: build one with 'bash scripts/bundle.sh --out $bundle', or pass --no-bundle"
  bundle=$(cd "$bundle" && pwd)
fi
PY=${PYTHON:-python3}
[[ $PY == */* ]] && PY=$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")  # the sweep runs in another folder
out=${out:-outputs/gpu-suite}
mkdir -p "$out" || die "cannot create the output folder $out"
out=$(cd "$out" && pwd)
if [ -z "$work" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/gpu-suite.XXXXXX") || die "cannot create a temporary folder"
  trap 'rm -rf "$work"' EXIT
else
  mkdir -p "$work" || die "cannot create the work folder $work"
  work=$(cd "$work" && pwd)
fi
logs=$work/logs
mkdir -p "$logs"
SWEEP=science-gpu
FILES=(gpu_suite.log sweep_table.txt report.html gain_vs_params.png gain_vs_mix.png "$SWEEP.tar.gz")
for f in "${FILES[@]}"; do rm -f "$out/$f"; done  # never a stale file from an earlier run beside this run's
MEASURE='tokens/s|TFLOP|MFU|identical'  # the bench scripts' result lines (their other output is the libraries')
deadline=$((SECONDS + budget))
declare -A status secs
order=()

record() {  # NAME STATUS SECONDS
  order+=("$1"); status[$1]=$2; secs[$1]=$3
}

# part NAME CAP RESERVE SHOW CMD...: CMD with stdout and stderr kept in logs/NAME.{out,err}, under a timeout of
# CAP seconds or what the budget leaves after RESERVE seconds for the parts after it (skipped under 10 s).
# SHOW=all streams its stdout here (the sweep's console); SHOW=measure shows only its result lines.
part() {
  local name=$1 cap=$2 reserve=$3 show=$4 rc t0=$SECONDS limit
  shift 4
  limit=$((deadline - SECONDS - reserve))
  ((limit > cap)) && limit=$cap
  if ((limit < 10)); then
    echo "== $name: skipped (out of time)"
    record "$name" "skipped: out of time" 0
    return 1
  fi
  echo "== $name (at most $limit s): ${*/#$repo\//}"
  if [ "$show" = all ]; then
    timeout -s INT -k 30 "$limit" "$@" 2>"$logs/$name.err" | tee "$logs/$name.out"
    rc=${PIPESTATUS[0]}
  else
    timeout -s INT -k 30 "$limit" "$@" >"$logs/$name.out" 2>"$logs/$name.err"
    rc=$?
    grep -E "$MEASURE" "$logs/$name.out" | sed "s/^/[$name] /" | tee -a "$work/measurements.txt"
  fi
  local took=$((SECONDS - t0))
  case $rc in
    0) record "$name" ok "$took" ;;
    124 | 137) record "$name" "TIMED OUT at $limit s" "$took" ;;
    *) record "$name" "FAILED (exit $rc): $(grep -v '^\s*$' "$logs/$name.err" | tail -1 | cut -c1-160)" "$took" ;;
  esac
  [ "$rc" = 0 ] || echo "$name: ${status[$name]}"
  return "$rc"
}

put() {  # SRC NAME: copy SRC into the output folder as NAME, whole or not at all
  [ -f "$1" ] && cp "$1" "$out/.$2.tmp" && mv "$out/.$2.tmp" "$out/$2"
}

# The trials' own timings, from the MLflow store: wall time against the time spent training and evaluating.
write_timings_py() {
  cat >"$1" <<'EOF'
import statistics
import sys

from trainer import tracking

uri, name = tracking.resolve_uri(None), sys.argv[1]
c = tracking.client(uri)
exp = c.get_experiment_by_name(name)
runs = c.search_runs([exp.experiment_id], "tags.`biasgen.role` = 'trial'", order_by=["attributes.start_time"]) if exp else []
if not runs:
    print(f"no trial runs of {name} in {uri}")
for r in runs:
    m, s1 = r.data.metrics, r.data.tags.get("biasgen.stage1_run_id")
    wall = (r.info.end_time - r.info.start_time) / 1000 if r.info.end_time else None
    rates = [p.value for p in c.get_metric_history(s1, "pretrain/tokens_per_s")] if s1 else []
    keys = ("pretrain/seconds", "sft/seconds", "eval/before_ft_seconds", "eval/after_ft_seconds")
    busy = sum(m.get(k, 0.0) for k in keys)
    parts = [f"trial {r.info.run_name}: {r.info.status}" + (f" in {wall:.0f} s" if wall else "")]
    if "params_total" in m:
        parts.append(f"{m['params_total'] / 1e6:.2f}M params")
    if "pretrain/seconds" in m:
        parts.append(f"stage 1 {m['pretrain/seconds']:.1f} s" + (f" at {statistics.median(rates):,.0f} tokens/s" if rates else ""))
    if "sft/seconds" in m:
        parts.append(f"fine-tuning {m['sft/seconds']:.1f} s")
    if "eval/after_ft_seconds" in m:
        parts.append(f"evaluation {m.get('eval/before_ft_seconds', 0):.1f} + {m['eval/after_ft_seconds']:.1f} s")
    if wall and busy:
        parts.append(f"training and evaluation {busy / wall:.0%} of the trial")
    if "heldout/gain" in m:
        parts.append(f"held-out gain {m['heldout/gain']:+.3f}")
    print("; ".join(parts))
EOF
}

# The MLflow store, the sweep's folder, its analysis and every log in one archive; the figures and table beside it.
pack() {
  local have=() f
  for f in mlflow.db mlartifacts "runs/$SWEEP" "analysis/$SWEEP" logs; do [ -e "$work/$f" ] && have+=("$f"); done
  if tar -czf "$out/.$SWEEP.tar.gz.tmp" -C "$work" "${have[@]}"; then
    mv "$out/.$SWEEP.tar.gz.tmp" "$out/$SWEEP.tar.gz"
  else
    rm -f "$out/.$SWEEP.tar.gz.tmp"
    echo "warning: could not pack the MLflow store and logs into $SWEEP.tar.gz"
  fi
  put "$work/sweep_table.txt" sweep_table.txt
  for f in report.html gain_vs_params.png gain_vs_mix.png; do put "$work/analysis/$SWEEP/$f" "$f"; done
}

summary() {
  local name
  echo
  echo "=================================== gpu suite summary ==================================="
  echo "$($cpu && echo 'CPU mode' || echo 'GPU mode'); $((SECONDS - started)) s of a $budget s budget"
  for name in "${order[@]}"; do printf '  %-12s %5s s  %s\n' "$name" "${secs[$name]}" "${status[$name]}"; done
  echo "measurements:"
  if [ -s "$work/measurements.txt" ]; then sed 's/^/  /' "$work/measurements.txt"; else echo "  none"; fi
  if [ -s "$work/timings.txt" ]; then
    echo "sweep $SWEEP, its trials (from MLflow):"
    sed 's/^/  /' "$work/timings.txt"
  fi
  if [ -s "$work/sweep_table.txt" ]; then
    echo "sweep $SWEEP, held-out gain per condition (launch.py analyze):"
    sed -n '/^model /,/^(n = /p' "$work/sweep_table.txt" | sed 's/^/  /'
  fi
  local written=gpu_suite.log f
  for f in "${FILES[@]:1}"; do [ -f "$out/$f" ] && written+=" $f"; done
  echo "files in $out: $written"
  echo "========================================================================================="
}

main() {
  echo "gpu_suite: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $($cpu && echo 'CPU mode' || echo 'GPU mode')," \
    "budget $budget s, parts $only; output $out"
  if $use_bundle; then
    local site=$work/site
    if ! part install 150 0 all bash "$repo/scripts/setup.sh" --offline "$bundle" --site "$site"; then
      summary
      return 1
    fi
    # what setup.sh gives the command it runs: the site folder, then the checkout
    export PYTHONPATH="$site:$repo${PYTHONPATH:+:$PYTHONPATH}" PATH="$site/bin:$PATH"
  fi
  export PYTHONUNBUFFERED=1 MLFLOW_TRACKING_URI="sqlite:///$work/mlflow.db"
  $cpu || timeout 30 nvidia-smi -L
  timeout 60 "$PY" -c "import sys, torch, transformers, deepspeed, ray, mlflow; print('python', sys.version.split()[0],
    'torch', torch.__version__, 'transformers', transformers.__version__, 'deepspeed', deepspeed.__version__,
    'ray', ray.__version__, 'mlflow', mlflow.__version__, 'cuda', torch.cuda.is_available())" 2>/dev/null | tail -1 \
    || echo "warning: $PY does not import torch, transformers, deepspeed, ray and mlflow"

  # (a) and (b) first, each on an idle GPU, keeping 240 s of the budget for the sweep and what follows it;
  # the sweep then takes what is left, keeping 60 s for analyze, the timings and packing.
  local tt=("$PY" "$repo/bench/train_throughput.py") gc=("$PY" "$repo/bench/gpu_check.py")
  local ev=("$PY" "$repo/bench/eval_throughput.py")
  if $cpu; then
    wants mfu && record mfu "skipped: --cpu (gpu_check needs a CUDA GPU)" 0
    wants engine && part engine_tiny 60 240 measure "${tt[@]}" --device cpu --size tiny --precision fp32 \
      --batch 2 --seq 64 --vocab 1000 --steps 2 --warmup 1 --rounds 1
    wants generation && part generation 60 240 measure "${ev[@]}" --device cpu --size tiny --prompts 4 \
      --max-new-tokens 8 --batch-size 4 --vocab 1000
  else
    # The engine as the sweep trains (bf16 under autocast, fused AdamW, no attention mask), compiled for MFU;
    # the ratio to plain PyTorch eager on both sides. Before/after profiles: docs/benchmarks.md.
    local fast=(--precision bf16 --bf16-mode autocast)
    if wants mfu; then
      part mfu_125m 90 240 measure "${gc[@]}" --size 125m --micro-batch 16 --steps 50 --warmup 15 "${fast[@]}" --compile
      part mfu_350m 90 240 measure "${gc[@]}" --size 350m --micro-batch 8 --steps 30 --warmup 10 "${fast[@]}" --compile
    fi
    if wants engine; then
      part engine_125m 75 240 measure "${tt[@]}" --device cuda --size 125m "${fast[@]}" --batch 16 \
        --seq 1024 --vocab 32000 --steps 20 --warmup 5 --rounds 2
      part engine_350m 90 240 measure "${tt[@]}" --device cuda --size 350m "${fast[@]}" --batch 8 \
        --seq 1024 --vocab 32000 --steps 15 --warmup 3 --rounds 2
    fi
    wants generation && part generation 75 240 measure "${ev[@]}" --device cuda --size 125m --prompts 64 \
      --max-new-tokens 64 --batch-size 64
  fi

  if wants sweep; then
    local overrides=()
    if $cpu; then  # the GPU study's sweep shrunk to two 0.2M-parameter trials, both at once on 2 CPU cores
      overrides=(max_concurrent=2 "variants=[{model.size: tiny, data.mix: 0.5}, {model.size: tiny, data.mix: 0.0}]"
        set.ray.use_gpu=false set.engine.precision=fp32 set.ray.cpus_per_worker=1 set.data.tokens=30000
        set.data.tokenizer_chars=200000 set.pretrain.micro_batch=8 set.finetune.examples_per_bias=4
        set.sft.max_steps=8 set.sft.micro_batch=8 set.eval.prompts_per_bias=1 set.eval.probe_per_bias=1
        set.eval.max_new_tokens=16 set.eval.batch_size=64)
    fi
    cd "$work" || return 1  # the sweep's runs/, analysis/, .cache/ and mlartifacts/ go to the work folder
    part sweep 330 60 all "$PY" "$repo/launch.py" sweep "$SWEEP" "${overrides[@]}" "${sweep_overrides[@]}"
    if [ -f "$work/mlflow.db" ]; then  # the sweep got as far as its MLflow store: analyze what it finished
      part analyze 45 15 all "$PY" "$repo/launch.py" analyze --experiment "$SWEEP" --out "$work/analysis/$SWEEP" \
        && cp "$logs/analyze.out" "$work/sweep_table.txt"
      write_timings_py "$work/timings.py"
      part timings 45 5 all "$PY" "$work/timings.py" "$SWEEP" && cp "$logs/timings.out" "$work/timings.txt"
    fi
    pack
  fi
  summary
  for name in "${order[@]}"; do [[ ${status[$name]} == ok || ${status[$name]} == skipped* ]] || return 1; done
}

started=$SECONDS
main 2>&1 | tee "$out/.gpu_suite.log.tmp"
rc=${PIPESTATUS[0]}
mv "$out/.gpu_suite.log.tmp" "$out/gpu_suite.log"
exit "$rc"
