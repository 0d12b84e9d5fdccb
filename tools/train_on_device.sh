#!/usr/bin/env bash
# Train the `mini` pack on a lent GPU machine in ONE command of at most 10 minutes, and put the
# checkpoints it trained under $OUT (they come back to the caller). No network, no code to write:
#
#   bash tools/train_on_device.sh            # mode all: render the cache, stage 2, stage 4
#   bash tools/train_on_device.sh train      # mode train: a later call; longer stages (see below)
#
# What it does, inside a hard budget of TOTAL_MIN minutes for the whole command:
#   1. render the training cache (train.dataset --workers = all cores) — shards already present are
#      kept, so on a machine that stayed warm this is instant. Mode `train` skips this step when the
#      cache is complete; a machine that went back in between comes back bare, so then it renders too
#      (and the stages shrink to fit the budget).
#   2. stage 2, condition encoder + SS flow (train.ss_flow --device cuda --batch SS_BATCH), SS_MIN min;
#      meanwhile stage 4's per-object tables are built on the other cores (slat_flow --workers).
#   3. stage 4, SLaT flow (train.slat_flow --sync-condition: takes stage 2's new condition trunk, so the
#      exported condition.onnx serves both flows), SLAT_MIN min. The order matters: 2 before 4.
#   4. optional: SS decoder fine-tune (train.ss_vae), SS_VAE_MIN min (default 0 = skipped).
#   5. hand the checkpoints it trained (tools/checkpoints/<stage>.pt) and their logs back through $OUT:
#      one tar in 15 MiB parts with checksums (a returned file may not exceed 16 MiB, and a wider config's
#      checkpoint can); `bash tools/device_handback.sh unpack <files_at>` puts them back in tools/.
# Every stage resumes from tools/checkpoints/<stage>.pt (the repository's committed ones on a fresh
# machine), so the calls chain: unpack what came back (device_handback.sh) before the next call.
# How a lead calls it through the device `run` tool: tools/README.md, "Training on a GPU machine".
#
# Settings (environment variables, defaults in brackets):
#   TOTAL_MIN [9.3]   budget of the whole command; stages are shortened so that it holds
#   COUNT [12000]     training samples to render, seeds FIRST … FIRST+COUNT−1 in shards of 100: as many as
#                     RENDER_MIN allows (16 cores render 12,000–16,000 in 3 minutes at this CPU's pace per
#                     core); a GPU call may train on hundreds of thousands of samples, and on too few renders stage 2 memorised them
#                     (MODEL_CARD.md, 0.6.0)
#   FIRST [64400]     first seed: 0.7.5's SS flow trained on seeds up to 64,399, and the card's gains since
#                     0.7.2 came from renders it had not seen
#   RENDER_MIN [3]    start no new shard after this (render again in the next call for the rest)
#   WORKERS [nproc]   rendering processes; stage 4 builds its tables on WORKERS − 2 of them
#   SS_MIN [4 | train: 6]     SS_BATCH [64]   SS_LR [3e-4]   SS_ARGS [] (more train.ss_flow flags)
#   SLAT_MIN [1.5 | train: 2] SLAT_OBJECTS [3000] (objects of stage 4)   SLAT_ARGS [] (train.slat_flow)
#   SS_VAE_MIN [0]    SS_VAE_BATCH [32]
#   DEVICE [cuda]     cpu or auto work too (a dry run on a CPU with tiny budgets)
#   PYTHON [python3]  OUT [$OUT, else tools/runs/device-out]
set -uo pipefail

MODE="${1:-all}"
case "$MODE" in all|train) ;; *) echo "usage: $0 [all|train]" >&2; exit 2 ;; esac

TOOLS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$TOOLS"
START=$(date +%s)
PYTHON="${PYTHON:-python3}"
DEVICE="${DEVICE:-cuda}"
TOTAL_MIN="${TOTAL_MIN:-9.3}"
COUNT="${COUNT:-12000}"
FIRST="${FIRST:-64400}"
RENDER_MIN="${RENDER_MIN:-3}"
WORKERS="${WORKERS:-$(nproc)}"
if [ "$MODE" = train ]; then SS_DEFAULT=6; SLAT_DEFAULT=2; else SS_DEFAULT=4; SLAT_DEFAULT=1.5; fi
SS_MIN="${SS_MIN:-$SS_DEFAULT}"
SS_BATCH="${SS_BATCH:-64}"
SS_LR="${SS_LR:-3e-4}"
SS_ARGS="${SS_ARGS:-}"
SLAT_MIN="${SLAT_MIN:-$SLAT_DEFAULT}"
SLAT_OBJECTS="${SLAT_OBJECTS:-3000}"
SLAT_ARGS="${SLAT_ARGS:-}"
SS_VAE_MIN="${SS_VAE_MIN:-0}"
SS_VAE_BATCH="${SS_VAE_BATCH:-32}"
OUT_DIR="${OUT:-$TOOLS/runs/device-out}"
RUN="$TOOLS/runs/device-$START"
STAGE_OVERHEAD_S=50      # per stage: start-up, loading the cache, CUDA init, the final checkpoint
COPY_RESERVE_S=15
mkdir -p "$OUT_DIR" "$RUN"
LOG="$OUT_DIR/train_on_device.log"
exec > >(tee -a "$LOG") 2>&1
export PYTHONPATH="$TOOLS${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1

say() { echo "[$(date -u +%H:%M:%S) +$(( $(date +%s) - START ))s] $*"; }
calc() { "$PYTHON" -S -c "print($1)"; }          # float arithmetic without depending on awk or bc
DEADLINE=$(calc "int($START + $TOTAL_MIN * 60)")
left_s() { echo $(( DEADLINE - $(date +%s) )); }
# minutes for a stage: the request, capped by what is left once `$2` more seconds and its start-up are kept back
fit_min() { calc "'%.2f' % max(0.0, min($1, ($(left_s) - $2 - $STAGE_OVERHEAD_S) / 60))"; }
status=0

say "mode $MODE on $(uname -n): $(nproc) cores, budget ${TOTAL_MIN} min, out $OUT_DIR"
command -v nvidia-smi >/dev/null && nvidia-smi -L
"$PYTHON" - "$DEVICE" <<'EOF' || exit 3
import sys, numpy, torch
print(f"python {sys.version.split()[0]}, torch {torch.__version__}, numpy {numpy.__version__}, "
      f"cuda available {torch.cuda.is_available()}", flush=True)
from fastsam3d_tools.train.common import select_device
print("device", select_device(sys.argv[1]), flush=True)   # fails here, early, when cuda was asked for and is absent
EOF

# ---- 1. render cache --------------------------------------------------------------------------
shards_needed=$(( (COUNT + 99) / 100 ))
shards_have=$(ls data/cache/train-*.npz 2>/dev/null | grep -vc '\.tmp' || true)
if [ "$MODE" = train ] && [ "$shards_have" -ge "$shards_needed" ]; then
  say "cache complete ($shards_have shards), not rendering"
else
  [ "$MODE" = train ] && say "cache has $shards_have of $shards_needed shards (a fresh machine?): rendering first"
  say "rendering $COUNT samples (seeds from $FIRST) on $WORKERS workers, at most ${RENDER_MIN} min of starts"
  "$PYTHON" -m fastsam3d_tools.train.dataset --first "$FIRST" --count $(( FIRST + COUNT )) --workers "$WORKERS" \
    --minutes "$RENDER_MIN" \
    || { say "rendering failed"; status=1; }
fi
shards_have=$(ls data/cache/train-*.npz 2>/dev/null | grep -vc '\.tmp' || true)
say "cache: $shards_have shards"
[ "$shards_have" -gt 0 ] || { say "no training data, stopping"; exit 4; }

# ---- 2 + 3. stage 2, with stage 4's tables built alongside; then stage 4 --------------------------
ss_min=$(fit_min "$SS_MIN" $(( STAGE_OVERHEAD_S + 60 + COPY_RESERVE_S )))   # keep ≥ 1 min for stage 4
slat_keep=$(calc "int($ss_min * 60 + $STAGE_OVERHEAD_S + $COPY_RESERVE_S)")
slat_min=$(fit_min "$SLAT_MIN" "$slat_keep")
say "stage 2 (ss_flow) ${ss_min} min, batch $SS_BATCH; stage 4 (slat_flow) ${slat_min} min on $SLAT_OBJECTS objects"
done_flag="$RUN/ss_flow.done"
slat_workers=$(( WORKERS > 3 ? WORKERS - 2 : 1 ))
OMP_NUM_THREADS=2 "$PYTHON" -m fastsam3d_tools.train.slat_flow --device "$DEVICE" --minutes "$slat_min" \
  --sync-condition --objects "$SLAT_OBJECTS" --workers "$slat_workers" --wait-for "$done_flag" --threads 2 \
  --deadline $(( DEADLINE - COPY_RESERVE_S - 20 )) \
  $SLAT_ARGS > "$RUN/slat_flow.out" 2>&1 &
slat_pid=$!
OMP_NUM_THREADS=2 "$PYTHON" -m fastsam3d_tools.train.ss_flow --device "$DEVICE" --minutes "$ss_min" \
  --batch "$SS_BATCH" --lr "$SS_LR" --threads 2 $SS_ARGS \
  || { say "stage 2 failed (stage 4 syncs from the checkpoint as it is)"; status=1; }
touch "$done_flag"
say "stage 2 finished; stage 4 starts its steps now"
# stage 4's output went to a file while stage 2 printed; show it as it goes on
tail -n +1 -f "$RUN/slat_flow.out" --pid "$slat_pid" &
tail_pid=$!
wait "$slat_pid" || { say "stage 4 failed"; status=1; }
sleep 1; kill "$tail_pid" 2>/dev/null

# ---- 4. optional SS decoder fine-tune ---------------------------------------------------------
trained="ss_flow slat_flow"
if [ "$(calc "int($SS_VAE_MIN > 0)")" = 1 ]; then
  vae_min=$(fit_min "$SS_VAE_MIN" "$COPY_RESERVE_S")
  say "ss_vae ${vae_min} min, batch $SS_VAE_BATCH"
  "$PYTHON" -m fastsam3d_tools.train.ss_vae --device "$DEVICE" --minutes "$vae_min" --batch "$SS_VAE_BATCH" \
    --threads 2 || { say "ss_vae failed"; status=1; }
  trained="$trained ss_vae"
fi

# ---- 5. hand back ---------------------------------------------------------------------------
# $OUT returns files of at most 16 MiB, 64 MiB in all, and leaves out the rest without a word: one tar in
# 15 MiB parts with checksums (tools/device_handback.sh; `bash tools/device_handback.sh unpack <files_at>`
# puts them back here, or says what went missing).
handback=()
for s in $trained; do
  [ -f "checkpoints/$s.pt" ] && handback+=("checkpoints/$s.pt")
  [ -f "runs/$s.log" ] && handback+=("runs/$s.log")
done
bash "$TOOLS/device_handback.sh" pack "$OUT_DIR" ${handback[@]+"${handback[@]}"} || { say "hand-back failed"; status=1; }
"$PYTHON" - $trained <<'EOF'
import sys
from fastsam3d_tools.train.common import CHECKPOINTS, load_checkpoint
for s in sys.argv[1:]:
    st = load_checkpoint(CHECKPOINTS / f"{s}.pt")
    last = st["history"][-1] if st["history"] else {}
    print(f"{s}: step {st['step']}, {st['seconds'] / 60:.1f} min of steps, last {last}", flush=True)
EOF
say "done (status $status); files in $OUT_DIR:"
ls -la "$OUT_DIR"
exit $status
