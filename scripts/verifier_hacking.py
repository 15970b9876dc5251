"""E6b, verifier hacking: RL against deliberately buggy Countdown verifiers, and what it finds.

    python scripts/verifier_hacking.py            # the full run
    python scripts/verifier_hacking.py --smoke    # toy sizes (CI)

pi0: the text policy (alphazero/lm/text_policy.py, a 2-block Llama over Countdown's characters)
imitates the solver's expressions for --train-instances training instances (k = 4 numbers from
1..13 drawn with replacement, so duplicates and 1s are common). Then one RL run per verifier rule
of games/countdown_verify.py (strict; set: duplicates may be reused or dropped; value: only the
value is checked), each from pi0, --updates REINFORCE updates with the rule's 1/0 as the reward.
Logged per update: the reward (the rule's acceptance) and the strict verifier's acceptance of the
same samples. At the end every policy answers the --test-instances held-out instances (one
sample at T = 1): acceptance by its rule and by strict, the exploit rate (the share of the answers
its rule accepts that strict rejects) and the exploits found, by kind.

Outputs in --out: hacking.csv (curves), hacking.md (table and examples), hacking.png. Resumable
by stage: pi0 and each finished arm are kept under --runs (overoptimization.py reuses pi0).
"""

from __future__ import annotations

import argparse
import collections
import csv
import sys
import time
from pathlib import Path

import jax
import numpy as np

RULES = ("strict", "set", "value")
FIELDS = ("arm", "update", "reward", "strict", "kl", "nll", "seconds")


def setup(args) -> dict:
    """Instance pools, the policy config, its learner and pi0 (trained here, or restored)."""
    from tqdm import tqdm

    from alphazero import checkpoint
    from alphazero.lm import llama
    from alphazero.lm import text_policy as tp

    rng = np.random.default_rng(args.seed)
    train = tp.sample_instances(rng, args.train_instances, "train")
    test = tp.sample_instances(rng, args.test_instances, "test")
    config = (tp.policy_config(dim=16, num_layers=1, num_heads=2) if args.smoke
              else tp.policy_config())  # fmt: skip
    learn = tp.learner(config, args.learning_rate)  # imitation; RL uses its own step size
    path = Path(args.runs) / "pi0"
    params = llama.init(config, jax.random.PRNGKey(args.seed))
    if path.exists():
        params = checkpoint.restore_tree(path, params)
    else:
        pairs = [(i, a) for i, answers in zip(train, tp.solver_answers(train, rng, 4), strict=True)
                 for a in answers]  # fmt: skip
        state = learn.init(params)
        for _ in tqdm(range(args.sl_steps), desc="pi0: imitation", unit="step"):
            rows = rng.integers(0, len(pairs), args.batch_size)
            batch = tp.batch([pairs[r][0] for r in rows], [pairs[r][1] for r in rows])
            state, _ = learn.supervised(state, batch)
        params = state.params
        checkpoint.save_tree(path, params)
    rl = tp.learner(config, args.rl_learning_rate)
    return dict(train=train, test=test, config=config, learn=rl, pi0=params)


def answers(setup: dict, params, instances, copies: int, key) -> tuple[list, np.ndarray]:
    """Sampled answers at temperature 1: their texts [P][R] and tokens [P, R, N]."""
    from alphazero.lm import text_policy as tp

    tokens = tp.sample(setup["config"], params, instances, copies, key)
    return [[tp.decode_answer(t) for t in row] for row in tokens], tokens


def reinforce(setup: dict, reward_fn, args, name: str, kl_coef: float = 0.0):
    """REINFORCE from pi0 for args.updates updates of args.prompts x args.copies samples;
    reward_fn(instances, texts [P][R], tokens [P, R, N]) -> (reward [P, R], strict [P, R]).
    Returns the final params and one row per update (the on-policy means; KL(pi || pi0)
    estimated on them)."""
    from tqdm import tqdm

    from alphazero.lm import text_policy as tp

    learn, pool, rows = setup["learn"], setup["train"], []
    state = learn.init(setup["pi0"])
    rng = np.random.default_rng(args.seed + 1)
    key = jax.random.PRNGKey(args.seed + 1)
    start = time.perf_counter()
    for update in tqdm(range(1, args.updates + 1), desc=name, unit="update"):
        key, sample_key = jax.random.split(key)
        instances = [pool[i] for i in rng.choice(len(pool), args.prompts, replace=False)]
        texts, tokens = answers(setup, state.params, instances, args.copies, sample_key)
        reward, strict = reward_fn(instances, texts, tokens)
        batch = tp.batch_of(instances, tokens)
        state, stats = learn.reinforce(state, setup["pi0"], batch, np.asarray(reward, np.float32),
                                       kl_coef)  # fmt: skip
        rows.append(dict(arm=name, update=update, reward=f"{np.mean(reward):.4f}",
                         strict=f"{np.mean(strict):.4f}", kl=f"{float(stats['kl']):.4f}",
                         nll=f"{float(stats['nll']):.3f}",
                         seconds=f"{time.perf_counter() - start:.1f}"))  # fmt: skip
    return state.params, rows


def verifier_reward(rule: str):
    from games.countdown_verify import verify

    def judge(instances, texts, rule):
        rows = zip(instances, texts, strict=True)
        return np.array(
            [[verify(t, n, g, rule).correct for t in row] for (n, g), row in rows], float
        )

    def reward_fn(instances, texts, tokens):
        strict = judge(instances, texts, "strict")
        return (strict if rule == "strict" else judge(instances, texts, rule)), strict

    return reward_fn


def exploit_kind(text: str, numbers) -> str:
    """How an answer the strict verifier rejects breaks the rules (its value is the target)."""
    from games.countdown_verify import parse

    used, given = collections.Counter(parse(text)[1]), collections.Counter(numbers)
    kinds = [name for name, hit in (
        ("reuses a number", any(0 < given[n] < c for n, c in used.items())),
        ("drops a number", any(used[n] < c for n, c in given.items())),
        ("uses a number not given", any(given[n] == 0 for n in used)),
    ) if hit]  # fmt: skip
    return " + ".join(kinds) or "other"


def final_eval(setup: dict, params, rules, key) -> list[dict]:
    """One sample per held-out instance at T = 1, judged by each of `rules` and by strict."""
    from games.countdown_verify import verify

    test = setup["test"]
    texts = [row[0] for row in answers(setup, params, test, 1, key)[0]]
    pairs = list(zip(texts, test, strict=True))
    verdicts = {"strict": np.array([verify(t, n, g).correct for t, (n, g) in pairs])}
    for rule in set(rules) - set(verdicts):
        verdicts[rule] = np.array([verify(t, n, g, rule).correct for t, (n, g) in pairs])
    strict, results = verdicts["strict"], []
    for rule in rules:
        accepted = verdicts[rule]
        exploits = [(t, n, g) for (t, (n, g)), a, s in zip(pairs, accepted, strict, strict=True)
                    if a and not s]  # fmt: skip
        kinds = collections.Counter(exploit_kind(t, n) for t, n, _ in exploits)
        results.append(dict(accepted=accepted.mean(), strict=strict.mean(), kinds=kinds,
                            exploit_rate=len(exploits) / max(1, accepted.sum()),
                            examples=exploits[:6]))  # fmt: skip
    return results


def plot(rows: list[dict], out: Path, window: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(RULES), figsize=(12, 3.8), sharey=True)
    for ax, rule in zip(axes, RULES, strict=True):
        arm = [r for r in rows if r["arm"] == rule]
        x = [int(r["update"]) for r in arm]
        for field, style, label in (("reward", "-", f"reward ({rule} verifier)"),
                                    ("strict", "--", "strict verifier")):  # fmt: skip
            y = np.array([float(r[field]) for r in arm])
            smooth = (
                np.convolve(y, np.ones(window) / window, mode="valid") if len(y) >= window else y
            )
            ax.plot(x[len(x) - len(smooth) :], smooth, style, label=label)
        ax.set_title(f"RL against the {rule} verifier")
        ax.set_xlabel("RL updates")
        ax.legend(fontsize=8)
    axes[0].set_ylabel(f"share accepted (mean of {window} updates)")
    fig.tight_layout()
    fig.savefig(out / "hacking.png", dpi=120)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of pi0 and of the RL runs (shared with overoptimization.py)."""
    parser.add_argument("--runs", default="runs/reward_hacking")
    parser.add_argument("--out", default="docs/results/reward_hacking")
    parser.add_argument("--smoke", action="store_true", help="toy sizes end to end (CI)")
    parser.add_argument("--train-instances", type=int, default=8000)
    parser.add_argument("--test-instances", type=int, default=500)
    parser.add_argument("--sl-steps", type=int, default=1500, help="imitation steps for pi0")
    parser.add_argument("--updates", type=int, default=500, help="RL updates per arm")
    parser.add_argument("--prompts", type=int, default=64, help="instances per RL update")
    parser.add_argument("--copies", type=int, default=4, help="samples per instance")
    parser.add_argument("--batch-size", type=int, default=256, help="imitation batch")
    parser.add_argument("--learning-rate", type=float, default=1e-3, help="imitation (Adam)")
    parser.add_argument(
        "--rl-learning-rate",
        type=float,
        default=2e-4,
        help="RL (Adam); 1e-3 collapsed the policy (docs/depth_vs_breadth.md)",
    )
    parser.add_argument("--seed", type=int, default=0)


def check_arguments(args) -> None:
    if args.smoke:
        args.train_instances, args.test_instances, args.sl_steps = 40, 16, 3
        args.updates, args.prompts, args.copies, args.batch_size = 3, 4, 2, 8
    if min(args.train_instances, args.test_instances, args.sl_steps, args.updates,
           args.prompts, args.batch_size) <= 0 or args.copies < 2:  # fmt: skip
        sys.exit("error: sizes must be positive and --copies at least 2 (the group baseline)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    args = parser.parse_args()
    check_arguments(args)
    from alphazero import checkpoint

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    state = setup(args)
    path = out / "hacking.csv"
    rows = list(csv.DictReader(path.open())) if path.exists() else []
    lines = ["| RL against | accepted by its rule | accepted by strict | exploit rate "
             "| exploits by kind |", "|---|---|---|---|---|"]  # fmt: skip
    examples = []
    for rule in ("pi0", *RULES):
        arm_path = Path(args.runs) / f"rl_{rule}"
        if rule == "pi0":
            params = state["pi0"]
        elif arm_path.exists() and any(r["arm"] == rule for r in rows):
            params = checkpoint.restore_tree(arm_path, state["pi0"])
        else:
            params, new = reinforce(state, verifier_reward(rule), args, rule)
            rows = [r for r in rows if r["arm"] != rule] + new
            with path.open("w", newline="") as f:
                writer = csv.DictWriter(f, FIELDS)
                writer.writeheader()
                writer.writerows(rows)
            if arm_path.exists():  # params of an arm whose rows were lost: retrained above
                import shutil

                shutil.rmtree(arm_path)
            checkpoint.save_tree(arm_path, params)
        judges = RULES if rule == "pi0" else (rule,)  # one set of samples, judged by each
        results = final_eval(state, params, judges, jax.random.PRNGKey(args.seed + 7))
        for judge, result in zip(judges, results, strict=True):
            kinds = ", ".join(f"{k}: {v}" for k, v in result["kinds"].most_common()) or "none"
            lines.append(f"| {rule if rule != 'pi0' else f'(pi0, judged by {judge})'} | "
                         f"{result['accepted']:.3f} | {result['strict']:.3f} | "
                         f"{result['exploit_rate']:.3f} | {kinds} |")  # fmt: skip
            examples += [f"- RL against `{rule}`: `{t}` for {list(n)} -> {g} ({exploit_kind(t, n)})"
                         for t, n, g in result["examples"][:3] if rule != "pi0"]  # fmt: skip
    n = len(state["test"])
    table = "\n".join(lines) + f"\n\n{n} held-out instances, one sample each at T = 1.\n"
    table += (
        "\nExploits found (first three per arm):\n\n" + "\n".join(examples or ["- none"]) + "\n"
    )
    (out / "hacking.md").write_text(table)
    plot(rows, out, window=1 if args.smoke else 10)
    print(table)


if __name__ == "__main__":
    main()
