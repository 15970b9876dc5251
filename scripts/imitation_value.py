"""AlphaGo's value-network recipe after imitation: value targets from the policy's own games.

The imitation phase fits the value head to the outcomes of ~1,000 expert games, ~50 correlated
positions each; on 9x9 Go it memorises them (held-out value MSE 0.53 against 0.15 in training,
docs/results.md), and search that leans on that value gets worse with more simulations. AlphaGo
(Silver et al. 2016, "Reinforcement learning of value networks") met the same overfitting and
trained its value network instead on positions from self-play games of its policy network, a
few positions per game. This script does that for an imitation run, with no policy improvement:

    1. games: the imitation network plays itself, every move sampled from its raw policy (no
       search, temperature 1), `--games` games in batches (vmap over games, scan over moves);
       `--positions-per-game` positions of each game are kept, with the final outcome from the
       mover's view as value target (Tromp-Taylor, the pgx referee);
    2. train: from the imitation weights, `--steps` steps on batches of half expert positions
       (policy target only: the expert outcomes' value mask is set to 0) and half self-play
       positions (value target only: no policy target);
    3. the result is written as an ordinary run in `--out`, so `alphazero eval --workdir OUT`
       plays it; a report (held-out top-1, value MSE on held-out expert games and on held-out
       self-play games) goes to OUT/report.json.

Each stage is resumable (chunks of games on disk, orbax checkpoints of the training stage).

    python scripts/imitation_value.py --workdir runs/go_9x9_imitation \\
        --out runs/go_9x9_imitation_value
    alphazero eval --workdir runs/go_9x9_imitation_value --opponents gnugo-1 --num-games 200
"""

from __future__ import annotations

import dataclasses
import functools
import json
import shutil
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import tyro
from tqdm.auto import tqdm

from alphazero import checkpoint, imitation, networks, search
from alphazero.config import Config
from alphazero.types import LoopState, Samples


@dataclasses.dataclass(frozen=True)
class Args:
    workdir: Path
    """The imitation run (its `imitation/` checkpoints and config.json)."""
    out: Path
    """Where the new run goes (created; an existing run there is resumed, never overwritten)."""
    games: int = 32768
    """Self-play games of the imitation policy (AlphaGo: 30 million, one position each)."""
    positions_per_game: int = 4
    """Positions kept per game, drawn uniformly from its moves."""
    batch_games: int = 1024
    """Games played at once (one jitted call, one chunk file)."""
    held_out_chunks: int = 1
    """Chunks of games kept out of training, to measure the value error."""
    steps: int = 1500
    """Gradient steps of the training stage (batch: the run's train.batch_size)."""
    learning_rate: float = 3e-4
    """Peak AdamW step size of the training stage (cosine to 10%)."""
    seed: int = 0


def _max_moves(env) -> int:
    """Moves that finish any game of a board game: pgx caps Go at 2 moves per cell, and the
    others (tic-tac-toe, connect four, hex...) end before every cell is filled."""
    return int(env.observation_shape[0] * env.observation_shape[1] * 2 + 2)


@functools.partial(jax.jit, static_argnames=("env", "num_games", "positions"))
def play_chunk(params, key: jax.Array, env, num_games: int, positions: int) -> Samples:
    """`num_games` games of the raw policy against itself; `positions` positions of each with
    the final outcome from the mover's view: Samples [num_games * positions] (value only)."""
    init_key, play_key, pick_key = jax.random.split(key, 3)
    states = jax.vmap(env.init)(jax.random.split(init_key, num_games))

    def one_move(carry, key):
        states, returns = carry
        logits, _ = networks.apply(params, states.observation)
        logits = search.mask_logits(logits, states.legal_action_mask)
        action = jax.random.categorical(key, logits)
        done = states.terminated | states.truncated
        record = (states.observation, states.current_player, ~done)
        states = jax.vmap(env.step)(states, action)
        # pgx pays the result once, on the final move (stepping a finished game pays 0).
        return (states, returns + states.rewards), record

    keys = jax.random.split(play_key, _max_moves(env))
    carry = (states, jnp.zeros((num_games, 2)))
    (final, returns), (observation, player, live) = jax.lax.scan(one_move, carry, keys)
    length = live.sum(0)  # [B] moves in each game
    pick = jax.random.uniform(pick_key, (positions, num_games)) * length  # [P, B]
    move = jnp.minimum(pick.astype(jnp.int32), length - 1)
    games_ = jnp.arange(num_games)
    outcome = returns[games_[None], player[move, games_[None]]]  # [P, B] mover's view
    valid = final.terminated & ~final.truncated  # [B] a real result
    return Samples(
        observation=observation[move, games_[None]].reshape(-1, *env.observation_shape),
        action_weights=jnp.zeros((positions * num_games, env.num_actions)),
        value_target=outcome.reshape(-1),
        mask=jnp.broadcast_to(valid, (positions, num_games)).reshape(-1).astype(jnp.float32),
    )


def make_games(args: Args, params, env) -> list[Path]:
    """Plays (or finds on disk) every chunk of self-play games; returns the chunk files."""
    folder = args.out / "value_games"
    folder.mkdir(parents=True, exist_ok=True)
    chunks = [folder / f"chunk_{i:04d}.npz" for i in range(-(-args.games // args.batch_games))]
    for i, path in enumerate(tqdm(chunks, desc="self-play chunks")):
        if path.exists():
            continue
        key = jax.random.fold_in(jax.random.PRNGKey(args.seed), i)
        samples = play_chunk(params, key, env, args.batch_games, args.positions_per_game)
        arrays = {k: np.asarray(v) for k, v in samples._asdict().items() if v is not None}
        arrays.pop("action_weights")  # all zeros; rebuilt on load
        np.savez_compressed(path.with_suffix(".tmp.npz"), **arrays)
        path.with_suffix(".tmp.npz").rename(path)  # a chunk on disk is complete
    return chunks


def load_games(paths: list[Path], num_actions: int) -> Samples:
    parts = [dict(np.load(p)) for p in paths]
    arrays = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    zeros = np.zeros((len(arrays["mask"]), num_actions), np.float32)
    return Samples(arrays["observation"], zeros, arrays["value_target"], arrays["mask"])


def value_mse(params, samples: Samples) -> float:
    _, value = imitation.predict(params, samples.observation)
    mask = samples.mask > 0
    return float(((value - samples.value_target)[mask] ** 2).mean())


def fit(args: Args, config: Config, loop: LoopState, expert: Samples, value: Samples):
    """The training stage, resumable from args.out/value checkpoints; returns the final loop."""
    expert = expert._replace(mask=np.zeros_like(expert.mask))  # no value from expert outcomes
    manager = checkpoint.manager(args.out, folder="value")
    key = jax.random.PRNGKey(args.seed + 1)
    return imitation.fine_tune(loop, [expert, value], config, manager, args.steps, key,
                               desc="value training")  # fmt: skip


def main(args: Args) -> None:
    try:
        config, env, start = imitation.fine_tune_start(
            args.workdir, args.out, "value", args.steps, args.learning_rate
        )
    except ValueError as error:
        sys.exit(f"error: {error}")
    args.out.mkdir(parents=True, exist_ok=True)
    shutil.copy(args.workdir / "config.json", args.out / "config.json")
    chunks = make_games(args, start.train_state.evaluation_params, env)
    train_games = load_games(chunks[args.held_out_chunks :], env.num_actions)
    held_games = load_games(chunks[: args.held_out_chunks], env.num_actions)
    dataset = imitation.load(config.imitation, env)
    expert, held_expert = imitation.split(dataset, config.supervised.validation_fraction,
                                          config.seed)  # fmt: skip
    print(f"{len(train_games.mask)} self-play positions to learn from "
          f"({train_games.mask.mean():.3f} with a result), {len(held_games.mask)} held out; "
          f"{len(expert.game)} expert positions")  # fmt: skip
    loop = fit(args, config, start, expert.samples, train_games)
    report = {}
    for name, state in (("imitation", start), ("value", loop)):
        params = state.train_state.evaluation_params
        expert_report = imitation.evaluate(params, held_expert)
        report[name] = {"top1": expert_report["top1"], "expert_value_mse":
                        expert_report["value_mse"], "selfplay_value_mse":
                        value_mse(params, held_games)}  # fmt: skip
    print(json.dumps(report, indent=1))
    (args.out / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    checkpoint.save(checkpoint.manager(args.out), imitation.hand_over(loop, config),
                    with_replay=config.replay.in_checkpoint, step=0)  # fmt: skip


if __name__ == "__main__":
    main(tyro.cli(Args))
