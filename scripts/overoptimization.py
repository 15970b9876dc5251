"""E6a, reward-model over-optimization at toy scale (Gao, Schulman and Hilton 2023): best-of-n and
RL against a learned proxy reward, scored by the strict verifier (the gold reward).

    python scripts/overoptimization.py            # the full run (reuses verifier_hacking's pi0)
    python scripts/overoptimization.py --smoke    # toy sizes (CI)

1. pi0 as in verifier_hacking.py (the same --runs folder shares it). It writes --labels answers
   (4 per training instance, T = 1); the strict verifier labels them.
2. One proxy reward model per N in --rm-sizes (alphazero/lm/reward_model.py: a 1-block Llama with a
   scalar head), fitted to the first N labelled answers.
3. Best-of-n: pi0 answers --bon-instances held-out instances --bon-samples times each; for every
   proxy and n = 1, 2, 4, ... the expected gold and proxy reward of the proxy's pick (exact
   order statistics), at d = sqrt(log n - (n - 1) / n).
4. RL: REINFORCE from pi0 with the proxy's P(correct) as the reward (--updates, no KL penalty,
   plus one arm per --kl-coefs for the middle N); gold, proxy and KL(pi || pi0) of its on-policy
   samples, in windows of --window updates.
5. Gao et al.'s forms fitted to gold minus pi0's gold: R_bon(d) = d (alpha - beta d) and
   R_RL(d) = d (alpha - beta log d); a table by N.

Outputs in --out: overoptimization.csv (every curve point), overoptimization.md (table),
overoptimization_bon.png and overoptimization_rl.png (one panel per N). Resumable by stage: the
labels, each reward model, the best-of-n pool and each RL arm are kept under --runs.
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

import jax
import numpy as np
from verifier_hacking import add_arguments, check_arguments, reinforce, setup, verifier_reward

FIELDS = ("method", "rm_size", "kl_coef", "x", "kl", "d", "gold", "proxy")


def labelled(state: dict, args):
    """(batch, gold [L]) of --labels pi0 answers to training instances (4 per instance)."""
    from alphazero.lm import text_policy as tp
    from games.countdown_verify import verify

    path = Path(args.runs) / "labels.npz"
    instances = state["train"][: args.labels // 4]
    if path.exists():
        tokens = np.load(path)["tokens"]
    else:
        tokens = np.concatenate([tp.sample(state["config"], state["pi0"], instances[i : i + 256],
                                           4, jax.random.PRNGKey(100 + i))
                                 for i in range(0, len(instances), 256)])  # fmt: skip
        np.savez(path, tokens=tokens)
    gold = [verify(tp.decode_answer(t), n, g).correct
            for row, (n, g) in zip(tokens, instances, strict=True) for t in row]  # fmt: skip
    return tp.batch_of(instances, tokens), np.array(gold, float)


def reward_models(state: dict, args, batch, gold) -> dict:
    from alphazero import checkpoint
    from alphazero.lm import llama
    from alphazero.lm import reward_model as rm

    config = rm.rm_config(dim=16 if args.smoke else 64)
    template = llama.init(config, jax.random.PRNGKey(0), num_outputs=1)
    models = {}
    for size in args.rm_sizes:
        path = Path(args.runs) / f"rm_{size}"
        if path.exists():
            params = checkpoint.restore_tree(path, template)
        else:
            rows = np.arange(size)
            params, report = rm.train(config, type(batch)(*(x[rows] for x in batch)), gold[rows],
                                      jax.random.PRNGKey(size), steps=args.rm_steps)  # fmt: skip
            print(f"reward model N = {size}: {report}", flush=True)
            checkpoint.save_tree(path, params)
        models[size] = params
    return dict(config=config, models=models, score=jax.jit(rm.score, static_argnums=0))


def proxy_scores(rms: dict, size: int, batch) -> np.ndarray:
    """The proxy's P(correct) for every row of `batch`, in chunks of 4,096 rows."""
    chunks = [jax.nn.sigmoid(rms["score"](rms["config"], rms["models"][size],
                                   type(batch)(*(x[i : i + 4096] for x in batch))))
              for i in range(0, batch.tokens.shape[0], 4096)]  # fmt: skip
    return np.concatenate([np.asarray(c) for c in chunks])


def best_of_n_rows(state: dict, args, rms: dict) -> list[dict]:
    from alphazero.lm import reward_model as rm
    from alphazero.lm import text_policy as tp
    from games.countdown_verify import verify

    instances = state["test"][: args.bon_instances]
    path = Path(args.runs) / "bon_pool.npz"
    if path.exists():
        tokens = np.load(path)["tokens"]
    else:
        tokens = np.concatenate([tp.sample(state["config"], state["pi0"], instances[i : i + 8],
                                           args.bon_samples, jax.random.PRNGKey(200 + i))
                                 for i in range(0, len(instances), 8)])  # fmt: skip
        np.savez(path, tokens=tokens)
    gold = np.array([[verify(tp.decode_answer(t), n, g).correct for t in row]
                     for row, (n, g) in zip(tokens, instances, strict=True)], float)  # fmt: skip
    batch = tp.batch_of(instances, tokens)
    ns = [2**i for i in range(int(math.log2(args.bon_samples)) + 1)]
    rows = []
    for size in args.rm_sizes:
        proxy = proxy_scores(rms, size, batch).reshape(gold.shape)
        gold_n, proxy_n = rm.best_of_n(gold, proxy, ns)
        for n, g, p in zip(ns, gold_n, proxy_n, strict=True):
            kl = float(rm.bon_kl(n))
            rows.append(dict(method="bon", rm_size=size, kl_coef=0, x=n, kl=kl, d=math.sqrt(kl),
                             gold=g, proxy=p))  # fmt: skip
        rows.append(dict(method="auc", rm_size=size, kl_coef=0, x=0, kl=0, d=0,
                         gold=auc(proxy.ravel(), gold.ravel()), proxy=0))  # fmt: skip
    return rows


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """P(a random accepted answer outscores a random rejected one), ties counting 1/2."""
    pos, neg = scores[labels > 0.5], scores[labels <= 0.5]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None]).mean() + 0.5 * (pos[:, None] == neg[None]).mean()
    return float(greater)


def rl_rows(state: dict, args, rms: dict) -> list[dict]:
    from alphazero.lm import text_policy as tp

    arms = [(size, 0.0) for size in args.rm_sizes]
    arms += [(args.rm_sizes[len(args.rm_sizes) // 2], beta) for beta in args.kl_coefs]
    rows = []
    for size, beta in arms:
        path = Path(args.runs) / f"rl_rm_{size}_kl_{beta:g}.csv"
        if not path.exists():

            def reward_fn(instances, texts, tokens, size=size):
                proxy = proxy_scores(rms, size, tp.batch_of(instances, tokens))
                _, gold = verifier_reward("strict")(instances, texts, tokens)
                return proxy.reshape(gold.shape), gold

            _, curve = reinforce(state, reward_fn, args, f"RL on RM N={size}, beta={beta:g}",
                                 kl_coef=beta)  # fmt: skip
            with path.open("w", newline="") as f:
                writer = csv.DictWriter(f, curve[0].keys())
                writer.writeheader()
                writer.writerows(curve)
        curve = list(csv.DictReader(path.open()))
        for start in range(0, len(curve) - args.window + 1, args.window):
            window = curve[start : start + args.window]
            mean = {f: float(np.mean([float(r[f]) for r in window]))
                    for f in ("kl", "strict", "reward")}  # fmt: skip
            kl = max(mean["kl"], 0.0)
            rows.append(dict(method="rl", rm_size=size, kl_coef=beta,
                             x=int(window[-1]["update"]), kl=kl, d=math.sqrt(kl),
                             gold=mean["strict"], proxy=mean["reward"]))  # fmt: skip
    return rows


def report(rows: list[dict], out: Path, baseline_rl: float) -> str:
    """Fits, the table and the two plots."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from alphazero.lm import reward_model as rm

    sizes = sorted({int(r["rm_size"]) for r in rows})
    lines = ["| RM labels N | RM AUC (held out) | alpha_bon | beta_bon | d*_bon "
             "| BoN gold peak (d) | BoN proxy there | alpha_RL | beta_RL | d*_RL "
             "| RL gold peak (d) | RL proxy there | RL gold, last |",
             "|---" * 13 + "|"]  # fmt: skip
    figs = {m: plt.subplots(1, len(sizes), figsize=(3.4 * len(sizes), 3.4), sharey=True,
                            squeeze=False) for m in ("bon", "rl")}  # fmt: skip
    for col, size in enumerate(sizes):
        quality = next(float(r["gold"]) for r in rows
                       if r["method"] == "auc" and int(r["rm_size"]) == size)  # fmt: skip
        cells = [f"{size}", f"{quality:.3f}"]
        for method in ("bon", "rl"):
            curve = [r for r in rows if r["method"] == method and int(r["rm_size"]) == size
                     and float(r["kl_coef"]) == 0]  # fmt: skip
            d = np.array([float(r["d"]) for r in curve])
            gold = np.array([float(r["gold"]) for r in curve])
            proxy = np.array([float(r["proxy"]) for r in curve])
            base = gold[0] if method == "bon" else baseline_rl
            alpha, beta = rm.fit(d, gold - base, method)
            best = int(np.argmax(gold))
            cells += [f"{alpha:.3f}", f"{beta:.3f}", f"{rm.peak(alpha, beta, method):.2f}",
                      f"{gold[best]:.3f} ({d[best]:.2f})", f"{proxy[best]:.3f}"]  # fmt: skip
            if method == "rl":
                cells.append(f"{gold[-1]:.3f}")
            ax = figs[method][1][0, col]
            ax.plot(d, gold, "o-", label="gold (strict verifier)")
            ax.plot(d, proxy, "s--", label="proxy (reward model)")
            grid = np.linspace(1e-3, max(d.max(), 1e-2), 200)
            shape = grid if method == "bon" else np.log(grid)
            ax.plot(grid, base + grid * (alpha - beta * shape), ":", color="k", label="Gao fit")
            for other in sorted({float(r["kl_coef"]) for r in rows if r["method"] == method
                                 and int(r["rm_size"]) == size} - {0.0}):  # fmt: skip
                extra = [r for r in rows if r["method"] == method and int(r["rm_size"]) == size
                         and float(r["kl_coef"]) == other]  # fmt: skip
                ax.plot([float(r["d"]) for r in extra], [float(r["gold"]) for r in extra], "^-",
                        label=f"gold, KL penalty {other:g}")  # fmt: skip
            ax.set_title(f"RM on N = {size} labels")
            ax.set_xlabel("d = sqrt(KL(pi || pi0))")
        lines.append("| " + " | ".join(cells) + " |")
    for method, (fig, axes) in figs.items():
        axes[0, 0].set_ylabel("reward (share correct)")
        axes[0, -1].legend(fontsize=7)
        fig.suptitle("best-of-n" if method == "bon" else "RL (REINFORCE) against the proxy")
        fig.tight_layout()
        fig.savefig(out / f"overoptimization_{method}.png", dpi=120)
    table = "\n".join(lines)
    (out / "overoptimization.md").write_text(table + "\n")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("--labels", type=int, default=8192, help="pi0 answers labelled by gold")
    parser.add_argument("--rm-sizes", type=int, nargs="+", default=[128, 512, 2048, 8192])
    parser.add_argument("--rm-steps", type=int, default=600, help="reward-model updates")
    parser.add_argument("--bon-instances", type=int, default=64)
    parser.add_argument("--bon-samples", type=int, default=512, help="a power of 2")
    parser.add_argument("--kl-coefs", type=float, nargs="*", default=[0.1])
    parser.add_argument("--window", type=int, default=10, help="RL updates per curve point")
    args = parser.parse_args()
    check_arguments(args)
    if args.smoke:
        args.labels, args.rm_sizes, args.rm_steps = 32, [8, 32], 25
        args.bon_instances, args.bon_samples, args.window = 4, 8, 1
    if max(args.rm_sizes) > args.labels or args.labels > 4 * args.train_instances or (
            args.bon_samples & (args.bon_samples - 1)):  # fmt: skip
        raise SystemExit(
            "error: --rm-sizes must not exceed --labels (at most 4 per training "
            "instance) and --bon-samples must be a power of 2"
        )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    state = setup(args)
    batch, gold = labelled(state, args)
    print(f"pi0 answers labelled: {len(gold)}, gold accepts {gold.mean():.3f}", flush=True)
    rms = reward_models(state, args, batch, gold)
    rows = best_of_n_rows(state, args, rms) + rl_rows(state, args, rms)
    with (out / "overoptimization.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(report(rows, out, baseline_rl=float(gold.mean())))


if __name__ == "__main__":
    main()
