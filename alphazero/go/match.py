"""Match runner for Go: two players, B games at once, an independent referee, one JSON line a game.

    records = match.play(match.agent_player(agent), match.gnugo_player(10), size=9, komi=7.5,
                         num_games=20, out="runs/ladder/games.jsonl")

A player is either in-process and batched (the agent: one search over all games per ply; a random
player that never fills its own eyes) or an external GTP engine, one process per game, all asked
for their move at once so they think in parallel. The referee is pgx: every move is checked against
its rules (an illegal move forfeits the game), the game ends on two passes, positional superko or
the 2*N*N move cap (pgx's own limit), and the winner is pgx's area score of the final position.
Games against GNU Go also ask it for `final_score`; a game where its winner differs from the
referee's is flagged (`disagreement` in the JSONL line). Player A is Black in even games, White in
odd ones. Every game is one JSON line of the match's .jsonl file, with its whole move list (the
record format: alphazero/go/sgf.py); `alphazero sgf export` turns lines into SGF files on demand,
and records.py reads and checks them. The referee is referee.py.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from tqdm import tqdm

import games
from alphazero import search
from alphazero.go import pass_rules
from alphazero.go.gtp_client import EngineError, GtpClient, gnugo_command
from alphazero.go.records import played
from alphazero.go.referee import Referee
from games import go
from games import go_coordinates as coords

RESIGN = -1


def board_sizes() -> tuple[int, ...]:
    """The Go board sizes of the games registry (games/__init__.py): 5, 7, 9, 19."""
    return tuple(int(n.split("x")[-1]) for n in games.available() if n.startswith("go_"))


def registry_komi(size: int) -> float:
    """The komi of the registry's `size` x `size` Go, which the presets train with (24.5 on 5x5,
    8.5 on 7x7, 7.5 on 9x9 and 19x19: CGOS's)."""
    return go.komi(games.make(f"go_{size}x{size}"))


@dataclasses.dataclass
class Player:
    """`moves(states, legal, key) -> actions [B]` for in-process players, or `command(size, komi,
    seed) -> argv` for a GTP engine (one process per game)."""

    name: str
    moves: Callable | None = None
    command: Callable | None = None
    scores: bool = False  # the engine's final_score is checked against the referee


def agent_player(
    agent, name: str = "agent", opening_samples: int = 2, pass_rule: str = "free"
) -> Player:
    """A loaded `Agent` (alphazero.load_agent) as a player: `search_player` with its network."""
    config = agent.config.search
    return search_player(agent.params, agent.env, config, name, opening_samples, pass_rule)


def search_player(
    params, env, config, name: str = "agent", opening_samples: int = 2, pass_rule: str = "free"
) -> Player:
    """The search with `params`. Its first `opening_samples` moves of a game are sampled from pi
    (temperature 1), the rest are the search's choice, so repeated games differ. `pass_rule`
    "settle" and "tromp-taylor" restrict its root moves (pass_rules.py, Go engines'
    conventions); "free" does not."""
    rules = {"tromp-taylor": pass_rules.tromp_taylor_passes, "settle": pass_rules.settle_moves}
    if pass_rule not in ("free", *rules):
        raise ValueError(f"unknown pass rule {pass_rule!r}; use free, settle or tromp-taylor")

    def moves(states, legal, key, ply):
        if pass_rule in rules:
            legal = np.asarray(rules[pass_rule](states, jnp.asarray(legal), go.komi(env)))
        states = states.replace(legal_action_mask=jnp.asarray(legal))
        out = search.run_jit(params, key, states, env, config)
        sampled = jax.random.categorical(key, jnp.log(out.action_weights + 1e-30))
        return np.asarray(jnp.where(ply < 2 * opening_samples, sampled, out.action))

    return Player(name, moves=moves)


def random_player(name: str = "random-no-eyefill") -> Player:
    """Uniform over legal moves that do not fill one of its own one-point eyes; passes otherwise."""

    def moves(states, legal, key, ply):
        return np.asarray(_random_moves(states, jnp.asarray(legal), key))

    return Player(name, moves=moves)


@jax.jit
def _random_moves(states, legal, key) -> jax.Array:
    playable = legal[:, :-1] & ~jax.vmap(go.own_eyes)(states)  # [B, N*N]
    choice = jax.random.categorical(key, jnp.where(playable, 0.0, -jnp.inf))
    return jnp.where(playable.any(1), choice, legal.shape[1] - 1)


def gnugo_player(level: int) -> Player:
    return Player(
        f"gnugo-{level}",
        command=lambda size, komi, seed: gnugo_command(level, size, komi, seed),
        scores=True,
    )


def player(spec: str) -> Player:
    """An opponent by name: `gnugo-L` (GNU Go at level L, 0-10) or `random` (no eye filling)."""
    if spec == "random":
        return random_player()
    level = spec.removeprefix("gnugo-")
    if spec.startswith("gnugo-") and level.isdigit() and 0 <= int(level) <= 10:
        return gnugo_player(int(level))
    raise ValueError(f"unknown opponent {spec!r}; use gnugo-0 .. gnugo-10 or random")


@dataclasses.dataclass
class _Table:
    """The games of one batch while they are played."""

    black_is_a: np.ndarray  # [B] bool
    done: np.ndarray  # [B] bool
    moves: list  # [B] lists of pgx actions
    result: list  # [B] SGF RE string once decided by resignation or forfeit, else None
    engines: dict  # player name -> [B] GtpClient (external players only)
    opening: np.ndarray  # [B] int, uniformly random moves (no eye filling) before the players
    turns: np.ndarray  # [B] int, the board symmetry (0-7) each engine sees its game under
    turned: bool  # whether the engines see turned boards (the records then say which)


def _ask(player: Player, table: _Table, states, legal, key, ply: int, mask, colour: str):
    """Moves of `player` in the games of `mask` (RESIGN for a resignation, -2 for garbage)."""
    actions = np.full(mask.shape, -2)
    if player.moves is not None:
        actions[mask] = np.asarray(player.moves(states, legal, key, ply))[mask]
        return actions
    engines = table.engines[player.name]
    games = np.flatnonzero(mask)
    for g in games:  # all engines think at once
        engines[g].write(f"genmove {colour}")
    size = int(round(np.sqrt(legal.shape[1] - 1)))
    for g in games:
        try:
            reply = engines[g].read().lower()
            seen = RESIGN if reply == "resign" else coords.gtp_to_action(reply, size)
            back = coords.inverse(int(table.turns[g]))
            actions[g] = seen if seen == RESIGN else coords.transform(seen, size, back)
        except (EngineError, coords.CoordinateError):
            actions[g] = -2
    return actions


def _engine_winner(engine: GtpClient) -> str | None:
    try:
        score = engine.send("final_score").upper()
    except EngineError:
        return None
    return score[0] if score[:1] in ("B", "W") else "0"


def _play_batch(
    a: Player, b: Player, referee: Referee, games: list[int], seed: int, openings: int = 0,
    turned: bool = False,
) -> list[dict]:  # fmt: skip
    size, komi, batch = referee.size, referee.komi, len(games)
    table = _Table(
        black_is_a=np.array([g % 2 == 0 for g in games]),
        done=np.zeros(batch, bool),
        moves=[[] for _ in games],
        result=[None] * batch,
        engines={
            p.name: [GtpClient(p.command(size, komi, seed + g)) for g in games]
            for p in ((a,) if a is b else (a, b))  # one engine plays both sides when a is b
            if p.command is not None
        },
        opening=np.array([g % (openings + 1) for g in games]),
        turns=np.array([(seed + g) % 8 if turned else 0 for g in games]),
        turned=turned,
    )
    states = referee.init(jax.random.PRNGKey(seed))
    key = jax.random.fold_in(jax.random.PRNGKey(seed + 1), games[0])  # new moves every batch
    ply = 0
    try:
        while not table.done.all():
            states = _ply(a, b, referee, table, states, jax.random.fold_in(key, ply), ply)
            ply += 1
        return _records(a, b, referee, table, states, games, seed)
    finally:
        for engines in table.engines.values():
            for engine in engines:
                engine.close()


def _ply(a: Player, b: Player, referee: Referee, table: _Table, states, key, ply: int):
    """Every running game makes one move (games run in lockstep: move `ply` of each)."""
    colour = "b" if ply % 2 == 0 else "w"
    a_moves = table.black_is_a == (colour == "b")
    legal = referee.legal(states)
    actions = np.full(len(table.done), coords.pass_action(referee.size))
    opening = ply < table.opening
    random = random_player()
    for player, mask in ((a, a_moves & ~opening), (b, ~a_moves & ~opening), (random, opening)):
        if (mask := mask & ~table.done).any():
            asked = _ask(player, table, states, legal, key, ply, mask, colour)
            actions = np.where(mask, asked, actions)
    other = {"b": "W", "w": "B"}[colour]
    for g in np.flatnonzero(~table.done):
        if actions[g] == RESIGN or actions[g] < 0 or not legal[g, actions[g]]:
            table.result[g] = f"{other}+{'R' if actions[g] == RESIGN else 'F'}"
            table.done[g] = True
    running = ~table.done
    states = referee.step_where(states, actions, running)
    for g in np.flatnonzero(running):
        table.moves[g].append(int(actions[g]))
        mover = a if a_moves[g] else b
        for player in (a,) if a is b else (a, b):  # tell the other engine (genmove played it)
            if (player is not mover or opening[g]) and player.name in table.engines:
                seen = coords.transform(int(actions[g]), referee.size, int(table.turns[g]))
                vertex = coords.action_to_gtp(seen, referee.size)
                table.engines[player.name][g].send(f"play {colour} {vertex}")
    table.done |= np.asarray(states.terminated) & running
    return states


def _records(a: Player, b: Player, referee: Referee, table: _Table, states, games, seed):
    margins = referee.black_margin(states)
    records = []
    for i, g in enumerate(games):
        black, white = (a, b) if table.black_is_a[i] else (b, a)
        result = table.result[i]
        if result is None:
            margin = float(margins[i])
            result = f"B+{margin:g}" if margin > 0 else f"W+{-margin:g}"
        engine_winner, checked = None, [p for p in (a, b) if p.scores]
        if checked and table.result[i] is None:
            engine_winner = _engine_winner(table.engines[checked[0].name][i])
        records.append(
            dict(
                game=g,
                black=black.name,
                white=white.name,
                result=result,
                winner=result[0],
                num_moves=len(table.moves[i]),
                moves=[coords.action_to_gtp(action, referee.size) for action in table.moves[i]],
                size=referee.size,
                komi=referee.komi,
                referee_margin=float(margins[i]),
                engine_winner=engine_winner,
                disagreement=engine_winner is not None and engine_winner != result[0],
                seed=seed + g,
                opening_moves=int(table.opening[i]),
                **({"engine_turn": int(table.turns[i])} if table.turned else {}),
            )
        )
    return records


def play(
    a: Player,
    b: Player,
    size: int,
    komi: float,
    num_games: int,
    out: str | Path | None = None,
    seed: int = 0,
    parallel: int = 16,
    comment: str = "",
    progress: bool = False,
    openings: int = 0,
    turned: bool = False,
) -> list[dict]:
    """Plays games 0 .. `num_games`-1 of A against B, `parallel` at once; A is Black in even games.
    Game g starts with g % (`openings` + 1) uniformly random moves (no eye filling), recorded as
    its `opening_moves` (imitation does not learn them). With `turned`, the engines (GNU Go) see
    game g's board under symmetry (`seed` + g) % 8 (games.go_coordinates.transform) and their
    moves are turned back: an engine's choice among equally good moves depends on the board's
    orientation, so its games differ while its strength does not; records stay unturned.

    With `out` (a .jsonl file), each game is appended to it as one line; games already there for
    this pairing are kept and not replayed, so an interrupted match continues where it stopped
    (game g always uses seed `seed` + g)."""
    if out is not None and Path(out).suffix != ".jsonl":
        raise ValueError(f"{out}: games are written to a .jsonl file")
    first = len(played(out, a.name, b.name)) if out is not None else 0
    records = []
    bar = tqdm(total=num_games, initial=min(first, num_games), disable=not progress, unit="game",
               desc=f"{a.name} vs {b.name}")  # fmt: skip
    for start in range(first, num_games, parallel):
        games = list(range(start, min(num_games, start + parallel)))
        began = time.perf_counter()
        batch = _play_batch(a, b, Referee(size, komi, len(games)), games, seed, openings, turned)
        for record in batch:
            record["seconds"] = round((time.perf_counter() - began) / len(batch), 2)
            record.update(comment=comment, date=time.strftime("%Y-%m-%d"))
        records += batch
        if out is not None:
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            with Path(out).open("a") as lines:
                lines.writelines(json.dumps(record) + "\n" for record in batch)
        bar.update(len(batch))
    bar.close()
    return records


def expert_games(
    expert: Player, path: str | Path, size: int, num_games: int, seed: int = 0,
    parallel: int = 4, openings: int = 2, progress: bool = False, comment: str = "",
) -> list[dict]:  # fmt: skip
    """Expert games for imitation (data/README.md): `expert` plays both colours of each game in
    one process, after g % (`openings` + 1) random opening moves in game g, refereed by pgx and
    appended to `path`. Resumable: the games already in `path` are counted, not replayed. Returns
    every game in `path`."""
    comment = comment or f"expert games: {expert.name} against itself"
    play(expert, expert, size, registry_komi(size), num_games, path, seed=seed, parallel=parallel,
         comment=comment, progress=progress, openings=openings)  # fmt: skip
    return played(path, expert.name, expert.name)
