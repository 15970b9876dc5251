#!/usr/bin/env bash
# The eight ways a hostile user broke long runs (issue 22), rerun as written on a tiny
# tic-tac-toe run; the output is docs/results.md#reliability. Row 7 mounts a 400 KB tmpfs (root).
#   bash scripts/reliability_rows.sh [scratch folder, default /tmp/rows]
set -u
scratch=${1:-/tmp/rows}
rm -rf "$scratch" && mkdir -p "$scratch" && cd "$scratch"
TINY="--network.num-blocks 1 --network.num-channels 16 --selfplay.num-games 16 --search.num-simulations 8 --replay.capacity 1024 --train.batch-size 32 --eval.num-games 4 --eval.num-simulations 8 --eval.no-exhaustive --no-progress"
show() { echo "\$ $*"; "$@" > out.txt 2> err.txt < /dev/null; rc=$?; cat err.txt; echo "[exit $rc]"; }
flip() { python - "$1" <<'PY'
import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); m = len(b) // 2
b[m:m + 16] = bytes(x ^ 0xFF for x in b[m:m + 16]); open(p, "wb").write(bytes(b))
PY
}
same() { python - "$1" "$2" <<'PY'
import sys, jax, numpy as np
from alphazero.agent import load_agent
a, b = load_agent(sys.argv[1]), load_agent(sys.argv[2])
d = max(float(np.abs(np.asarray(x) - np.asarray(y)).max()) for x, y in zip(jax.tree.leaves(a.params), jax.tree.leaves(b.params)))
print(f"{sys.argv[1]} iteration {a.iteration}, {sys.argv[2]} iteration {b.iteration}: largest parameter difference {d}")
PY
}
echo "## row 1"; show alphazero train --workdir W1 $TINY --train.learning-rate inf; ls W1 2>&1 | head -1
echo "## row 1, finite: --train.learning-rate 1e30"; show alphazero train --workdir W1b $TINY --train.learning-rate 1e30 --train.num-iterations 10
python - <<'PY'
import jax, games
from alphazero import checkpoint, learner
from alphazero.types import RL
config = checkpoint.read_config("W1b"); m = checkpoint.manager("W1b")
t = jax.eval_shape(lambda: learner.init_loop_state(games.make(config.game), config, RL))
for s in m.all_steps():
    loop = checkpoint.restore(m, t, step=s)
    print(f"checkpoint {s}: parameters all finite: {checkpoint.all_finite(loop.train_state.params)}")
PY
echo "## row 2"; show alphazero train --workdir W2 $TINY --replay.reuse inf; show alphazero train --workdir W2 $TINY --replay.reuse 2 --train.num-iterations 1
echo "## the runs rows 3 and 8 damage: 3 iterations, and 4 uninterrupted"
alphazero train --workdir W $TINY --train.num-iterations 3 > /dev/null 2>&1; alphazero train --workdir S $TINY --train.num-iterations 4 > /dev/null 2>&1; ls W/checkpoints
echo "## row 3: the newest checkpoint's largest file damaged in the middle"
cp -r W W3; f=$(find W3/checkpoints/3 -type f ! -name digest.json -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2); echo "damaged: $f"; flip "$f"
show alphazero train --workdir W3 --train.num-iterations 4; ls W3/checkpoints | tr '\n' ' '; echo; same S W3
echo "## row 3, truncated"; cp -r W W3t; truncate -s 100 "${f/W3/W3t}"; show alphazero train --workdir W3t --train.num-iterations 4; same S W3t
echo "## row 3, config.json deleted"; cp -r W W3c; rm W3c/config.json; show alphazero train --workdir W3c --train.num-iterations 4
echo "## row 4"; for c in '[]' '{"seed": "x"}' 'blocks'; do cp -r W W4; if [ "$c" = blocks ]; then python -c "
import json; d = json.load(open('W4/config.json')); d['network']['num_blocks'] = '1'; json.dump(d, open('W4/config.json', 'w'))"; elif [ "$c" = '[]' ]; then echo '[]' > W4/config.json; else python -c "
import json; d = json.load(open('W4/config.json')); d['seed'] = 'x'; json.dump(d, open('W4/config.json', 'w'))"; fi; show alphazero train --workdir W4; rm -rf W4; done
echo "## row 5"; echo "\$ printf '²\n' | alphazero play --workdir W"; printf '²\n' | alphazero play --workdir W 2>&1 | tail -2; echo "[exit ${PIPESTATUS[1]}]"
echo "## row 6"; show alphazero tree --workdir W --out missing/dir/t.png; cat out.txt; touch afile; show alphazero tree --workdir W --out afile/dir/t.png
echo "## row 7: a 400 KB tmpfs"; mkdir full; mount -t tmpfs -o size=400k tmpfs full; show alphazero train --workdir full/W $TINY --train.num-iterations 5; ls full/W/checkpoints | tr '\n' ' '; echo
mount -o remount,size=8m full; show alphazero train --workdir full/W $TINY --train.num-iterations 5; ls full/W/checkpoints | tr '\n' ' '; echo; umount full
echo "## row 8: 16 bytes overwritten in the middle of the largest array-data file"
cp -r W W8; f=$(find W8/checkpoints/3/default/ocdbt.process_0/d -type f -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2); echo "damaged: $f"; flip "$f"
show alphazero train --workdir W8 --train.num-iterations 4; ls W8/checkpoints | tr '\n' ' '; echo; same S W8
echo "## readers refuse a damaged checkpoint"; cp -r W WR; flip "${f/W8/WR}"; show alphazero eval --workdir WR --num-games 2
