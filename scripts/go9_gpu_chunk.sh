#!/usr/bin/env bash
# One resumable chunk of a 9x9 Go run on a lent GPU (at most 10 minutes per command there).
#
#   bash scripts/go9_gpu_chunk.sh [WORKDIR] [SECONDS] [TRAIN FLAGS...]   # runs/go_9x9_gpu, 510 s
#
# Trains the go_9x9 preset scaled for one GPU (1,024 games in parallel) for SECONDS, then stops
# with SIGINT: the run keeps its newest checkpoint (one per iteration) and the next chunk resumes
# from it. Checkpoints leave out the replay window (replay.in_checkpoint false), so the newest one
# (6 x 64 ResNet: parameters + AdamW state, about 6 MB) is what comes back: `$OUT` (set by the
# device runner) receives WORKDIR's config, events and newest checkpoint as one `NAME.tar.gz`.
# Unpack it here with `tar -xzf FILES_AT/NAME.tar.gz -C runs/`, and carry WORKDIR to the next chunk.
# Afterwards, on CPU: alphazero eval --workdir WORKDIR --opponents random gnugo-1 gnugo-10 \
#     --num-games 200 --simulations 64
set -uo pipefail
workdir="${1:-runs/go_9x9_gpu}"
seconds="${2:-510}"
shift 2 2>/dev/null || shift $#
if [ -f "$workdir/config.json" ]; then  # resume: the stored config, plus resumable flags
  start=()
else
  start=(--preset go_9x9 --selfplay.num-games 1024 --train.batch-size 1024
         --replay.capacity 1000000 --replay.no-in-checkpoint --eval.every 25)
fi
timeout -s INT "$seconds" alphazero train --workdir "$workdir" "${start[@]}" "$@" --no-progress
status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 2 ] || [ "$status" -eq 124 ] || exit "$status"
if [ -n "${OUT:-}" ]; then  # the device runner returns files at most 2 folders down: one tarball
  name=$(basename "$workdir")
  newest=$(ls "$workdir/checkpoints" | sort -n | tail -1)
  files=("$name/config.json" "$name/checkpoints/$newest")
  for f in "$workdir"/events.out.tfevents* "$workdir"/report.json; do
    [ -e "$f" ] && files+=("$name/$(basename "$f")")
  done
  tar -czf "$OUT/$name.tar.gz" -C "$(dirname "$workdir")" "${files[@]}"
  ls -l "$OUT/$name.tar.gz"
fi
