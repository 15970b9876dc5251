"""Expert games for the imitation phase (alphazero/imitation.py), resumable.

    python scripts/make_expert_games.py --game go_9x9 --num-games 1000 \
        --out data/go_9x9_gnugo10.jsonl
    python scripts/make_expert_games.py --game connect_four --num-games 2000 --out data/c4.jsonl

Go: GNU Go (Debian package `gnugo`) at a fixed level plays both colours of each game in one GTP
process (`--chinese-rules --capture-all-dead --positional-superko`, seed `--seed` + game number),
refereed move by move by pgx through the match runner (`match.expert_games`, alphazero/go/match.py),
one JSON line per game with its moves. Killing the script and running it again continues at the
next unplayed game (the games already in the file are counted).
Seeds alone give few distinct games (GNU Go only breaks ties between equal moves at random: 8
distinct games in 40 on 7x7), so game g first plays g % (K+1) uniformly random moves that do not
fill an own eye, K = `--random-opening-moves`; the record counts them (`opening_moves`) and they
are not imitation targets.

Tic-tac-toe and connect four: the exact minimax player and depth-D alpha-beta (games/) play both
sides with random tie-breaking among equally good moves, after `--random-opening-moves` uniformly
random moves that are not training targets; the games go to one JSON-lines file (moves, outcome
for the first mover, number of opening moves), appended to on a rerun.

Countdown (any `countdown*` game in step mode): instances drawn from the game's training split
(game i from key fold_in(PRNGKey(--seed), i)), solved by a demonstrator of
games/countdown_solver.py (`--demonstrator solver|noisy|greedy`, `--epsilon` for noisy); each line
holds the instance, the moves, the targets to imitate (the solver: all winning actions) and the
outcome (1 solved, 0 not). `--off-path` adds after each demonstration one gold-value probe
(countdown_solver.off_path: the positions after a losing step, value 0, no policy target).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import games
from alphazero.go import match
from alphazero.go.records import summary
from games import connect_four_alphabeta, tic_tac_toe_solver
from games.random_player import random_player as random_move


def go_games(args, size: int, out: Path) -> None:
    done = match.expert_games(
        match.gnugo_player(args.level), out, size, args.num_games, seed=args.seed,
        parallel=args.parallel, openings=args.random_opening_moves, progress=True,
        comment=f"expert games: GNU Go level {args.level} against itself",
    )  # fmt: skip
    print(f"{out}: {summary(done)}")


def _play_batch(env, player, key: jax.Array, batch: int, opening: int):
    """`batch` games: `opening` random moves, then `player` for both sides. Returns moves [B, L]
    (-1 after the end) and the first mover's outcome [B]."""

    def move(carry, t):
        state, key = carry
        key, k1, k2 = jax.random.split(key, 3)
        expert = jax.vmap(player)(jax.random.split(k1, batch), state)
        rand = jax.vmap(random_move)(jax.random.split(k2, batch), state)
        action = jnp.where(t < opening, rand, expert)
        done = state.terminated | state.truncated
        first = state.current_player  # before the move
        state = jax.vmap(env.step)(state, action)
        return (state, key), (jnp.where(done, -1, action), first, state.rewards)

    key, init_key = jax.random.split(key)
    state = jax.vmap(env.init)(jax.random.split(init_key, batch))
    first_player = state.current_player
    length = env.max_steps if hasattr(env, "max_steps") else 200
    (_, _), (actions, _, rewards) = jax.lax.scan(move, (state, key), jnp.arange(length))
    final = rewards.sum(0)  # [B, 2]: rewards come once, at the end
    outcome = jnp.take_along_axis(final, first_player[:, None], axis=1)[:, 0]
    return actions.T, outcome


def reference_games(game: str, num_games: int, out: Path, seed: int, depth: int, opening: int):
    env = games.make(game)
    if game == "tic_tac_toe":
        player, name = tic_tac_toe_solver.minimax_player, "minimax"
    else:
        player, name = connect_four_alphabeta.alphabeta_player(depth), f"alphabeta-{depth}"
    done = len(out.read_text().splitlines()) if out.exists() else 0
    out.parent.mkdir(parents=True, exist_ok=True)
    play = jax.jit(lambda k: _play_batch(env, player, k, 64, opening))
    start = time.perf_counter()
    while done < num_games:
        moves, outcome = jax.device_get(play(jax.random.fold_in(jax.random.PRNGKey(seed), done)))
        with out.open("a") as lines:
            for row, z in zip(moves[: num_games - done], outcome, strict=False):
                line = dict(game=game, player=name, moves=[int(a) for a in row if a >= 0],
                            outcome=float(z), opening_moves=opening)  # fmt: skip
                lines.write(json.dumps(line) + "\n")
        done = min(num_games, done + len(moves))
        print(f"{done}/{num_games} games ({time.perf_counter() - start:.0f} s)", flush=True)


def countdown_games(args, out: Path, chunk: int = 1024) -> None:
    from tqdm import tqdm

    from games import countdown_solver

    env = games.make(args.game)
    out.parent.mkdir(parents=True, exist_ok=True)
    existing = out.read_text().splitlines() if out.exists() else []
    done = sum('"off-path"' not in line for line in existing)  # demonstrations, not probes
    init = jax.jit(jax.vmap(env.init))
    solved = 0
    with tqdm(total=args.num_games, initial=done, unit="game") as bar:
        while done < args.num_games:
            count = min(chunk, args.num_games - done)
            ids = jnp.arange(done, done + count)
            keys = jax.vmap(lambda i: jax.random.fold_in(jax.random.PRNGKey(args.seed), i))(ids)
            state = jax.device_get(init(keys))
            with out.open("a") as lines:
                for i, numbers, target in zip(np.asarray(ids), state.numbers, state.target,
                                              strict=True):  # fmt: skip
                    rng = np.random.default_rng([args.seed, int(i)])
                    episode = countdown_solver.demonstrate(
                        numbers, int(target), args.demonstrator, rng, args.epsilon
                    )
                    solved += episode["outcome"] == 1
                    instance = dict(numbers=[int(n) for n in numbers], target=int(target))
                    line = dict(game=env.id, player=args.demonstrator, instance=instance, **episode)
                    lines.write(json.dumps(line) + "\n")
                    if not args.off_path:
                        continue
                    probe = countdown_solver.off_path(numbers, int(target), episode["moves"], rng)
                    if probe:  # a line of its own, after its demonstration
                        lines.write(json.dumps(dict(line, player="off-path", **probe)) + "\n")
            done += count
            bar.update(count)
    print(f"{out}: {done} games; this run's demonstrator solved {solved}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--game", required=True, help="go_7x7, go_9x9, tic_tac_toe, connect_four")
    parser.add_argument("--num-games", type=int, required=True)
    parser.add_argument("--out", required=True, help="the .jsonl file the games go to")
    parser.add_argument("--level", type=int, default=10, help="GNU Go level (Go)")
    parser.add_argument("--depth", type=int, default=4, help="alpha-beta depth (connect four)")
    parser.add_argument("--random-opening-moves", type=int, default=2,
                        help="K (Go: game g opens with g %% (K+1) random moves)")  # fmt: skip
    parser.add_argument("--parallel", type=int, default=4, help="GNU Go processes at once")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--demonstrator", default="solver", help="countdown: solver|noisy|greedy")
    parser.add_argument("--epsilon", type=float, default=0.25, help="countdown: noisy's randomness")
    parser.add_argument("--off-path", action="store_true",
                        help="countdown: a value-0 probe beside each demonstration")  # fmt: skip
    args = parser.parse_args()
    if args.num_games <= 0 or args.parallel <= 0:
        sys.exit("error: --num-games and --parallel must be positive")
    if args.game.startswith("go_"):
        size = int(args.game[3:].split("x")[0])
        if size not in match.board_sizes() or not 0 <= args.level <= 10:
            sys.exit(f"error: Go sizes {sorted(match.board_sizes())}, GNU Go levels 0-10")
        if Path(args.out).suffix != ".jsonl":
            sys.exit("error: --out must be a .jsonl file")
        go_games(args, size, Path(args.out))
    elif args.game.startswith("countdown") and args.game != "countdown_token":
        from games import countdown_solver

        if args.game not in games.available() or args.demonstrator not in (
            countdown_solver.DEMONSTRATORS
        ):
            sys.exit(f"error: unknown game {args.game!r} or demonstrator {args.demonstrator!r}")
        if Path(args.out).suffix != ".jsonl":
            sys.exit("error: --out must be a .jsonl file for countdown")
        countdown_games(args, Path(args.out))
    elif args.game in ("tic_tac_toe", "connect_four"):
        reference_games(args.game, args.num_games, Path(args.out), args.seed, args.depth,
                        args.random_opening_moves)  # fmt: skip
    else:
        sys.exit(f"error: no expert player for {args.game!r}")


if __name__ == "__main__":
    main()
