"""The proxy reward model and Gao et al.'s machinery (alphazero/lm/reward_model.py): best-of-n
against brute-force enumeration, the KL formula, the fits, and a reward model that learns."""

import itertools
import math

import jax
import numpy as np
import pytest

from alphazero.lm import reward_model as rm
from alphazero.lm import text_policy as tp


def test_best_of_n_matches_enumerating_every_subset():
    rng = np.random.default_rng(0)
    gold, proxy = rng.random((3, 6)), rng.random((3, 6))
    for n in (1, 2, 3, 6):
        subsets = list(itertools.combinations(range(6), n))
        picks = [[g[max(s, key=lambda i, p=p: p[i])] for s in subsets]
                 for g, p in zip(gold, proxy, strict=True)]  # fmt: skip
        g, p = rm.best_of_n(gold, proxy, [n])
        np.testing.assert_allclose(g[0], np.mean([np.mean(x) for x in picks]), rtol=1e-10)
    g, p = rm.best_of_n(gold, proxy, [1, 6])
    np.testing.assert_allclose(g, [gold.mean(), gold[np.arange(3), proxy.argmax(1)].mean()])
    np.testing.assert_allclose(p[1], proxy.max(1).mean())
    with pytest.raises(ValueError):
        rm.best_of_n(gold, proxy, [7])


def test_bon_kl_known_values():
    np.testing.assert_allclose(rm.bon_kl([1, 2, 4]), [0, math.log(2) - 0.5, math.log(4) - 0.75])


@pytest.mark.parametrize("form", ["bon", "rl"])
def test_fit_recovers_coefficients_and_the_peak(form):
    d = np.linspace(0.1, 3, 40)
    shape = d * d if form == "bon" else d * np.log(d)
    alpha, beta = rm.fit(d, d * 0.8 - 0.3 * shape, form)
    assert alpha == pytest.approx(0.8) and beta == pytest.approx(0.3)
    grid = np.linspace(0.01, 20, 200_000)
    curve = grid * (alpha - beta * (grid if form == "bon" else np.log(grid)))
    assert rm.peak(alpha, beta, form) == pytest.approx(grid[curve.argmax()], rel=1e-3)
    assert rm.peak(1.0, -0.1, form) == math.inf


@pytest.mark.slow
def test_reward_model_learns_a_visible_rule():
    rng = np.random.default_rng(0)
    instances = [((8, 5, 3, 1), 24)] * 256
    answers = ["(" + str(rng.integers(1, 99)) if i % 2 else str(rng.integers(1, 99))
               for i in range(256)]  # fmt: skip
    labels = np.array([a.startswith("(") for a in answers], float)
    config = rm.rm_config(dim=16)
    batch = tp.batch(instances, answers)
    params, report = rm.train(config, batch, labels, jax.random.PRNGKey(0), steps=150)
    assert report["heldout_accuracy"] >= 0.95
    logits = np.asarray(rm.score(config, params, batch))
    assert np.mean((logits > 0) == (labels > 0.5)) > 0.95


@pytest.mark.slow
def test_reward_hacking_scripts__smoke(tmp_path):
    """scripts/verifier_hacking.py (E6b) then scripts/overoptimization.py (E6a) at toy sizes,
    sharing pi0: curves, tables, plots; a second E6b run resumes without retraining."""
    import csv
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]

    def run(name):
        command = [sys.executable, str(root / "scripts" / name), "--smoke", "--runs", "runs",
                   "--out", "out"]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        return done

    first = run("verifier_hacking.py")
    rows = list(csv.DictReader((tmp_path / "out" / "hacking.csv").open()))
    assert [(r["arm"], int(r["update"])) for r in rows] == [
        (rule, u) for rule in ("strict", "set", "value") for u in (1, 2, 3)]  # fmt: skip
    assert all(float(r["strict"]) <= float(r["reward"]) for r in rows)  # strict accepts less
    assert "| value |" in first.stdout and (tmp_path / "out" / "hacking.png").stat().st_size
    again = run("verifier_hacking.py")
    assert "update/s" not in again.stderr and again.stdout == first.stdout  # nothing retrained
    run("overoptimization.py")
    rows = list(csv.DictReader((tmp_path / "out" / "overoptimization.csv").open()))
    bon = [r for r in rows if r["method"] == "bon"]
    assert [(int(r["rm_size"]), int(r["x"])) for r in bon] == [
        (size, n) for size in (8, 32) for n in (1, 2, 4, 8)]  # fmt: skip
    assert {(int(r["rm_size"]), float(r["kl_coef"])) for r in rows if r["method"] == "rl"} == {
        (8, 0.0), (32, 0.0), (32, 0.1)}  # fmt: skip
    for name in ("overoptimization_bon.png", "overoptimization_rl.png", "overoptimization.md"):
        assert (tmp_path / "out" / name).stat().st_size > 0
