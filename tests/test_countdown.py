"""games/countdown.py and games/countdown_solver.py: known counts, rules against the solver,
text observations, held-out splits, both action modes; Countdown through imitation and RL."""

import csv
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import games
from alphazero import config as config_lib
from alphazero import imitation, presets, validation
from games import countdown as cd
from games import countdown_solver as solver

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def step_fns():
    """One compiled init/step per environment kind, shared by the tests."""
    envs = {"mix": cd.Countdown(k=(2, 6)), "test5": cd.Countdown(k=5, split="test")}
    envs["token"] = cd.Countdown(k=(2, 4), mode="token")
    return {name: (env, jax.jit(jax.vmap(env.init)), jax.jit(jax.vmap(env.step)))
            for name, env in envs.items()}  # fmt: skip


def test_solver__game_of_24_has_1346_solvable_sets():
    sets = solver.game_of_24_sets()
    assert len(sets) == 1820 and len(set(sets)) == 1820
    assert sum(solver.solvable(s, 24) for s in sets) == 1346  # integer-only, all numbers used
    assert solver.solvable((13, 13, 13, 13), 24) is False
    assert not solver.solvable((8, 8, 3, 3), 24)  # only 8 / (3 - 8/3): needs a fraction
    assert solver.solvable((8, 1, 1, 1), 24)  # 8 * (1 + 1 + 1)


def test_solver__known_answers():
    assert solver.count_solutions((4, 3, 2, 1), 24) == 13
    assert solver.to_expression((10, 8, 6, 5), solver.solution((10, 8, 6, 5), 24)) == (
        "(8*5)-(10+6)"
    )
    assert solver.winning_actions((6, 4), 24) == [1]  # pair (0, 1), op '*'
    assert solver.step((6, 4), 3) is None  # 6 / 4 is not exact
    assert solver.step((100_000, 2), 1) is None  # over the cap
    assert solver.solution((7, 5), 24) is None


def _random_states(env, init, step, n, steps, seed=0):
    key = jax.random.PRNGKey(seed)
    state = init(jax.random.split(key, n))
    for i in range(steps):
        logits = jnp.where(state.legal_action_mask, 0.0, -jnp.inf)
        action = jax.random.categorical(jax.random.fold_in(key, i), logits)
        state = step(state, action)
    return state


@pytest.mark.slow
def test_step_mode__mask_and_transitions_match_the_solver(step_fns):
    env, init, step = step_fns["mix"]
    for steps in range(3):
        state = _random_states(env, init, step, 64, steps, seed=steps)
        for numbers, mask, done in zip(np.asarray(state.numbers), np.asarray(
                state.legal_action_mask), np.asarray(state.terminated), strict=True):  # fmt: skip
            if done:
                continue
            key = tuple(int(n) for n in numbers if n >= 0)
            legal = [solver.step(key, a) is not None for a in range(solver.NUM_ACTIONS)]
            assert mask.tolist() == legal, key


@pytest.mark.slow
def test_step_mode__solver_paths_always_score_1_and_random_play_ends(step_fns):
    env, init, step = step_fns["mix"]
    state = init(jax.random.split(jax.random.PRNGKey(3), 1024))  # jit(vmap) over 1,024
    numbers, target = np.asarray(state.numbers), np.asarray(state.target)
    k = (numbers >= 0).sum(1)
    assert set(k) == {2, 3, 4, 5, 6}
    assert ((target >= 10) & (target <= 999)).all()  # every draw found a valid candidate
    assert not (numbers == target[:, None]).any()
    picked = np.arange(0, 1024, 16)  # 64 of them through the solver
    paths = [solver.solution(numbers[i], target[i]) for i in picked]
    assert all(p is not None for p in paths)  # targets come from a legal path: solvable
    sub = jax.tree.map(lambda x: x[picked], state)
    total = np.zeros(len(picked))
    for t in range(5):
        action = np.array([p[t] if t < len(p) else 0 for p in paths])
        sub = step(sub, jnp.asarray(action))
        total += np.asarray(sub.rewards[:, 0])
    assert (total == 1).all() and np.asarray(sub.terminated).all()
    played = _random_states(env, init, step, 1024, 5, seed=4)
    assert np.asarray(played.terminated).all()  # k - 1 <= 5 steps end every game


@pytest.mark.slow
def test_observation__text_matches_render_and_tokenizer_round_trips(step_fns):
    env, init, step = step_fns["mix"]
    state = _random_states(env, init, step, 32, 2, seed=5)
    for obs, numbers, target in zip(np.asarray(state.observation), np.asarray(state.numbers),
                                    np.asarray(state.target), strict=True):  # fmt: skip
        assert cd.decode(obs) == cd.render(numbers, target)
        assert len(obs) == cd.STATE_LEN and (obs[len(cd.decode(obs)) :] == cd.PAD).all()
    text = "999:100000,99999,8,0,1,10"
    assert cd.decode(cd.encode(text)) == text and len(cd.VOCAB) == 22
    widest = env.init_instance(jnp.int32([100_000] * 6), 999)
    assert cd.decode(widest.observation) == "999:" + ",".join(["100000"] * 6)  # 46 <= 48 tokens


@pytest.mark.slow
def test_splits__held_out_instances_never_drawn_for_training(step_fns):
    _, init, _ = step_fns["test5"]
    test = init(jax.random.split(jax.random.PRNGKey(6), 256))
    assert (cd.split_of(test.numbers, test.target) == 0).all()
    train = games.make("countdown_k4")
    state = jax.jit(jax.vmap(train.init))(jax.random.split(jax.random.PRNGKey(7), 1024))
    assert (cd.split_of(state.numbers, state.target) >= 2).all()
    numbers = np.asarray(state.numbers)
    assert ((numbers >= 0).sum(1) == 4).all()
    assert not ((np.asarray(state.target) == 24) & (numbers.max(1) <= 13)).any()  # no 24 set
    numbers, targets = games.game_of_24_instances()
    assert numbers.shape == (1346, 6) and (targets == 24).all()


def _write(env, step, state, text: str):
    for ch in text:
        state = step(state, jnp.full(state.target.shape, cd.TOKEN[ch]))
    return state


@pytest.mark.slow
def test_token_mode__checks_each_written_step(step_fns):
    env, _, step = step_fns["token"]
    start = jax.vmap(env.init_instance)(jnp.int32([[8, 5, 3, -1, -1, -1]] * 3), jnp.int32([37] * 3))
    right = _write(env, step, start, "8*5=40;")
    assert cd.decode(right.observation[0]) == "37:40,3|" and not right.terminated.any()
    done = _write(env, step, right, "40-3=37;")
    assert done.terminated.all() and (done.rewards[:, 0] == 1).all()
    for wrong in ("8*5=41;", "8*8=64;", "3-5=0;", "5/3=1;", "9+1=10;"):
        bad = _write(env, step, start, wrong)  # wrong arithmetic, reused or absent numbers
        assert bad.terminated.all() and (bad.rewards[:, 0] == 0).all(), wrong
    mask = np.asarray(_write(env, step, start, "0").legal_action_mask[0])
    assert not mask[cd.DIGIT0 : cd.DIGIT0 + 10].any()  # no leading zeros
    assert mask[cd.PLUS : cd.DIVIDE + 1].all() and not mask[cd.EQUALS]


@pytest.mark.slow
def test_token_mode__writing_a_solver_path_scores_1(step_fns):
    env, init, step = step_fns["token"]
    state = init(jax.random.split(jax.random.PRNGKey(8), 16))
    texts = []
    for numbers, target in zip(np.asarray(state.numbers), np.asarray(state.target), strict=True):
        key, text = tuple(int(n) for n in numbers if n >= 0), ""
        for action in solver.solution(key, int(target)):
            (a, b), op = [key[s] for s in solver.PAIRS[action // 4]], action % 4
            text += f"{a}{solver.OPS[op]}{b}={solver.combine(a, b, op)};"
            key = solver.step(key, action)
        texts.append(text)
    total = np.zeros(16)
    for t in range(max(map(len, texts))):  # finished games ignore the padding characters
        chars = [cd.TOKEN[x[t]] if t < len(x) else cd.TOKEN[";"] for x in texts]
        state = step(state, jnp.int32(chars))
        total += np.asarray(state.rewards[:, 0])
    assert np.asarray(state.terminated).all() and (total == 1).all(), texts


def test_demonstrators__solver_always_wins_greedy_sometimes():
    rng = np.random.default_rng(0)
    instances = [((25, 19, 13, 7, 3), 480), ((10, 8, 6, 5), 24), ((23, 4), 19), ((9, 7, 2), 34)]
    assert [solver.solvable(n, t) for n, t in instances] == [True, True, True, False]
    assert solver.demonstrate((9, 7, 2), 34, "solver", rng)["outcome"] == 0.0
    for numbers, target in instances[:3]:
        episode = solver.demonstrate(numbers, target, "solver", rng)
        assert episode["outcome"] == 1.0 and len(episode["moves"]) == len(numbers) - 1
        key = numbers
        for move, targets in zip(episode["moves"], episode["targets"], strict=True):
            assert move in targets and targets == solver.winning_actions(key, target)
            key = solver.step(key, move)
        perfect = solver.demonstrate(numbers, target, "noisy", rng, epsilon=0.0)
        assert perfect["outcome"] == 1.0  # epsilon 0: always a winning move
    greedy = [solver.demonstrate(n, t, "greedy", rng)["outcome"] for n, t in instances]
    assert greedy == [solver.demonstrate(n, t, "greedy", rng)["outcome"] for n, t in instances]
    assert greedy == [0.0, 0.0, 1.0, 0.0]  # known: closest-first fails on the deeper ones


@pytest.mark.slow
def test_imitation__countdown_records_with_instances_and_target_sets(tmp_path):
    rng = np.random.default_rng(1)
    lines = []
    instances = (((10, 8, 6, 5, -1, -1), 24), ((23, 4, -1, -1, -1, -1), 19),
                 ((30, 4, -1, -1, -1, -1), 26))  # fmt: skip
    for numbers, target in instances:
        episode = solver.demonstrate(numbers, target, "solver", rng)
        instance = dict(numbers=list(numbers), target=target)
        lines.append(dict(game="countdown", instance=instance, **episode))
    assert lines[1]["moves"] == lines[2]["moves"]  # a - b on another instance
    probe = solver.off_path((10, 8, 6, 5), 24, lines[0]["moves"], rng)
    slip = probe["opening_moves"] - 1
    assert probe["moves"][:slip] == lines[0]["moves"][:slip] and probe["outcome"] == 0
    key = (10, 8, 6, 5)
    for t, move in enumerate(probe["moves"][:-1]):
        key = solver.step(key, move)
        assert solver.solvable(key, 24) == (t < slip)  # dead after the slip, alive before
    path = tmp_path / "demos.jsonl"
    records = [*lines, lines[0], dict(lines[0], **probe)]
    path.write_text("\n".join(map(json.dumps, records)) + "\n")
    dataset = imitation.load(path, games.make("countdown"))
    probe_rows = dataset.game == 4
    assert dataset.num_games == 5 and len(dataset.game) == 3 + 1 + 1 + 3 + 3 - (slip + 1)
    # Distinct games: the same moves from another instance are another game; a repeat or a probe
    # of the same instance is not (all of an instance's records fall on one side of a split).
    assert dataset.num_distinct == 3
    assert (dataset.samples.action_weights[probe_rows] == 0).all()  # the value alone is taught
    assert (dataset.samples.value_target[probe_rows] == 0).all() and probe_rows.any()
    rows = ~probe_rows
    assert cd.decode(dataset.samples.observation[0]) == "24:10,8,6,5"
    weights = dataset.samples.action_weights
    first = solver.winning_actions((10, 8, 6, 5), 24)
    assert np.allclose(weights[0][first], 1 / len(first)) and weights[0].sum() == pytest.approx(1)
    assert (dataset.samples.value_target[rows] == 1).all()  # one player: never negated


@pytest.mark.slow
def test_depth_script__smoke_runs_data_imitation_rl_and_evaluation(tmp_path):
    """scripts/countdown_depth.py --smoke: demonstrations, imitation, RL, every arm on held-out
    instances and the Game-of-24 sets, table and plot (the E1 pipeline at toy size)."""
    out = tmp_path / "out"
    command = [sys.executable, str(ROOT / "scripts" / "countdown_depth.py"), "--smoke",
               "--workdir", str(tmp_path / "run"), "--out", str(out),
               "--data", str(tmp_path / "demos.jsonl")]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = list(csv.DictReader((out / "depth.csv").open()))
    arms = {
        "imitation greedy",
        "RL greedy",
        "RL + search@4",
        "RL + search@4, kept solutions",
        "uniform search@4",
        "random",
    }
    assert {r["arm"] for r in rows} == arms | {"solver"}
    assert {r["instances"] for r in rows} == {"k=3", "24"} and len(rows) == 14
    assert all(float(r["solved"]) == 1.0 for r in rows if r["arm"] == "solver")
    assert all(0 <= float(r["low"]) <= float(r["solved"]) <= float(r["high"]) <= 1 for r in rows)
    assert (out / "depth.png").stat().st_size > 0 and "| RL + search@4 |" in done.stdout
    again = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)  # resumes
    assert again.returncode == 0 and len(list(csv.DictReader((out / "depth.csv").open()))) == 14


def test_config__token_games_need_the_transformer():
    config = dataclasses.replace(presets.countdown_text(), network=config_lib.NetworkConfig("mlp"))
    with pytest.raises(config_lib.ConfigError, match="transformer"):
        validation.validate(config)
    go = dataclasses.replace(presets.go_7x7_alphazero(), network=presets.countdown_text().network)
    with pytest.raises(config_lib.ConfigError, match="resnet or mlp"):
        validation.validate(go)


def _script(name: str, tmp_path, *flags) -> subprocess.CompletedProcess:
    command = [sys.executable, str(ROOT / "scripts" / name), "--smoke", *flags]
    return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)


@pytest.mark.slow
def test_ablation_script__smoke_one_imitation_arm(tmp_path):
    """scripts/countdown_ablation.py --smoke (E4) with one arm: demonstrations, imitation, RL,
    the SL and SL -> RL players, the demonstrator's own rate, table and plot."""
    done = _script("countdown_ablation.py", tmp_path, "--arms", "greedy", "--runs", "runs",
                   "--out", "out")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    rows = list(csv.DictReader((tmp_path / "out" / "ablation.csv").open()))
    players = [r["player"] for r in rows]
    assert players == ["SL greedy", "SL + search@4", "SL -> RL greedy", "SL -> RL + search@4",
                       "demonstrator"]  # fmt: skip
    assert 0 <= float(rows[-1]["solved"]) < 1  # the greedy heuristic's own rate: not perfect
    assert (tmp_path / "out" / "ablation.png").exists() and "| greedy | SL greedy |" in done.stdout


@pytest.mark.slow
def test_scaling_script__smoke_one_width(tmp_path):
    """scripts/countdown_scaling.py --smoke (E3) with one width and one point: greedy, Gumbel and
    PUCT at two budgets, the table and the three plots. Width 16: the depth smoke's network, so
    this run loads that test's training compiles from the persistent compilation cache."""
    done = _script("countdown_scaling.py", tmp_path, "--widths", "16", "--points", "1", "--runs",
                   "runs", "--out", "out")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    rows = list(csv.DictReader((tmp_path / "out" / "scaling.csv").open()))
    cells = [(r["algorithm"], int(r["simulations"])) for r in rows]
    assert cells == [("greedy", 0), ("gumbel", 2), ("gumbel", 4), ("puct", 2), ("puct", 4)]
    for name in ("scaling_train.png", "scaling_test.png", "scaling_puct.png"):
        assert (tmp_path / "out" / name).stat().st_size > 0


def _reachable(numbers: tuple[int, ...]) -> set[tuple[int, ...]]:
    """Every state (sorted numbers) reachable from `numbers` in step mode, itself included."""
    seen, frontier = set(), [tuple(sorted(numbers, reverse=True))]
    while frontier:
        state = frontier.pop()
        if state in seen:
            continue
        seen.add(state)
        frontier += [tuple(sorted(s, reverse=True)) for a in range(solver.NUM_ACTIONS)
                     if len(state) > 1 and (s := solver.step(state, a)) is not None]  # fmt: skip
    return seen


def test_numeric_observation__every_legal_state_of_small_k():
    """Every state reachable from a few k = 3 and k = 4 instances: the features have their
    documented layout (legal bits = the solver's legal moves, results decode to the solver's
    numbers, 'reaches the target' bits exact) and lie in [-1, 1]."""
    states = set()
    for numbers in [(3, 5, 7), (1, 1, 13), (2, 3, 4, 6), (25, 25, 1, 9)]:
        states |= _reachable(numbers)
    rows = [list(s) + [-1] * (6 - len(s)) for s in sorted(states)]
    target = 24
    obs = np.asarray(jax.jit(jax.vmap(cd.features, in_axes=(0, None)))(np.array(rows), target))
    assert obs.shape == (len(rows), cd.NUM_FEATURES) and np.isfinite(obs).all()
    assert obs.min() >= -1 and obs.max() <= 1
    decode = lambda x: np.expm1(x * np.log1p(solver.VALUE_CAP))  # noqa: E731
    for row, o in zip(rows, obs, strict=True):
        key = tuple(n for n in row if n >= 0)
        slots = o[2 : 2 + 24].reshape(6, 4)
        np.testing.assert_allclose(decode(slots[: len(key), 1]), key, rtol=1e-4)
        assert slots[len(key) :].sum() == 0
        steps = o[26:].reshape(60, 4)
        for a in range(solver.NUM_ACTIONS):
            made = solver.step(key, a) if len(key) > 1 else None
            assert steps[a, 0] == (made is not None), (key, a)
            if made is None:
                assert not steps[a].any()
                continue
            i, j = solver.PAIRS[a // len(solver.OPS)]
            result = solver.combine(key[i], key[j], a % len(solver.OPS))
            assert abs(decode(steps[a, 1]) - result) <= 1e-4 * max(result, 1)
            assert steps[a, 3] == (result == target)
    assert len(rows) > 100


def test_numeric_observation__env_and_network_shapes():
    env = cd.Countdown(k=5, observation="numbers")
    state = jax.jit(env.init)(jax.random.PRNGKey(0))
    assert state.observation.shape == (cd.NUM_FEATURES,) and state.observation.dtype == np.float32
    assert not hasattr(env, "vocab") and hasattr(cd.Countdown(k=5), "vocab")
    with pytest.raises(ValueError, match="numbers in step mode"):
        cd.Countdown(mode="token", observation="numbers")
    retargeted = env.with_goal(state, 77)
    assert int(retargeted.target) == 77
    np.testing.assert_array_equal(
        np.asarray(retargeted.observation), np.asarray(cd.features(state.numbers, 77)))


@pytest.mark.slow
def test_levers_script__smoke_the_all_arm(tmp_path):
    """scripts/countdown_levers.py --smoke with the all-levers arm (solver, hindsight, numeric
    observations): demonstrations, imitation, RL, greedy and search on validation instances,
    the uniform-prior control, table and plot."""
    data = ROOT / "data" / "countdown_solver.jsonl"  # the smoke reads its first 40 games
    done = _script("countdown_levers.py", tmp_path, "--arms", "all", "--instances", "16",
                   "--simulations", "4", "--data", str(data), "--out", "out")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    rows = list(csv.DictReader((tmp_path / "out" / "levers.csv").open()))
    assert [r["player"] for r in rows] == ["greedy", "search@4", "uniform search@4"]
    assert all(r["arm"] == "all" and int(r["n"]) == 16 for r in rows)
    assert (tmp_path / "out" / "levers.png").stat().st_size > 0 and "| all | 0 |" in done.stdout
