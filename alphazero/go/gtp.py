"""A GTP v2 engine around a trained Go agent: `alphazero gtp --workdir W`.

GTP (Go Text Protocol v2) is how Go GUIs (Sabaki, GoGui), match runners and other engines talk to
an engine: one command per line on stdin, one reply per command on stdout, `= result` or
`? error`, each ended by a blank line. `Engine.handle(line)` answers one line and never raises:
malformed lines, unknown commands, bad vertices, illegal moves and wrong board sizes all get a
`? message` reply, and the engine keeps serving (tests/test_gtp.py fuzzes it).

Rules are pgx's (docs/deviations.md, ../shared notes): area scoring of the final position as it
stands (Tromp-Taylor, dead stones count as alive), suicide illegal, simple ko masked, positional
superko ends the game with a loss for the mover in pgx, so here such a move is refused in `play`
and never chosen by `genmove`. Colours: pgx's black is colour 0
(`games.go.colour_to_move(state) == 0` means black to move); player ids are pgx's business. A
move out of turn (`play w ...` when black is to move) is accepted by letting the side to move
pass first, unless that pass would end the game.

Komi: `komi` sets the komi of `final_score`; the search keeps valuing finished games with the
komi the agent was trained with, which is what its value network learned (a new komi would need a
new search compile per value, and a network trained for it).

Search budget: `--simulations` per move; after `time_left`, the budget is scaled down (to powers
of two, each compiled once) so the search fits the remaining time (`_simulations_for`).
Resignation: after `resign_moves` consecutive own moves whose root value (mover's view) is below
`resign_threshold`; `resign_threshold=None` never resigns.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
import time
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from alphazero import search
from alphazero.agent import Agent
from alphazero.go import referee
from games import go
from games import go_coordinates as coords

NAME, VERSION = "alphazero-jax", "0.1.0"


class GtpError(Exception):
    """A command that cannot be carried out; the reply is `? <message>`."""


@dataclasses.dataclass
class Clock:
    """What `time_settings` / `time_left` said (seconds; stones of a byo-yomi period)."""

    main: float = 0.0
    byo_yomi: float = 0.0
    stones: int = 0
    left: dict = dataclasses.field(default_factory=dict)  # colour -> (seconds, stones)


@functools.cache
def _jitted(env) -> tuple[Callable, ...]:
    """The engine's jitted rules, compiled once per environment rather than once per engine."""
    superko = referee.superko_moves(env)
    return jax.jit(env.init), jax.jit(env.step), jax.jit(superko), jax.jit(go.black_margin)


class Engine:
    """GTP command handlers over a pgx Go state history (the last entry is the position)."""

    def __init__(
        self,
        agent: Agent,
        simulations: int | None = None,
        resign_threshold: float | None = -0.95,
        resign_moves: int = 3,
        seed: int = 0,
    ):
        self.agent = agent
        self.size = int(round(np.sqrt(agent.env.num_actions - 1)))
        self.max_simulations = simulations or agent.config.search.num_simulations
        self.resign_threshold, self.resign_moves = resign_threshold, resign_moves
        self.key = jax.random.PRNGKey(seed)
        self.clock = Clock()
        self.seconds_per_simulation: float | None = None
        self.komi = go.komi(agent.env)  # GTP `komi` changes scoring (final_score) only
        self._set_env()
        self.clear_board()

    # Game state ---------------------------------------------------------------------------------

    def _set_env(self) -> None:
        env = self.agent.env  # the search's terminal values use the komi the agent trained with
        self.env = env
        self._init, self._step, self._superko, self._black_margin = _jitted(env)

    def clear_board(self) -> None:
        self.history = [self._init(jax.random.PRNGKey(0))]  # positions, the newest last
        self.moves: list[int] = []  # actions between them
        self.low_value_moves = 0

    @property
    def state(self):
        return self.history[-1]

    def to_move(self) -> str:
        return "b" if int(go.colour_to_move(self.state)) == go.BLACK else "w"

    def game_over(self) -> bool:
        return bool(self.state.terminated | self.state.truncated)

    def legal(self) -> np.ndarray:
        """Legal actions in the current position, positional-superko moves removed."""
        mask = np.asarray(self.state.legal_action_mask)
        return mask & ~np.asarray(self._superko(self.state))

    def play(self, action: int) -> None:
        self.history.append(self._step(self.state, jnp.int32(action)))
        self.moves.append(action)

    def take_turn(self, colour: str) -> None:
        """Makes `colour` the side to move, letting the other side pass if needed."""
        if self.game_over():
            raise GtpError("illegal move (the game is over)")
        if colour != self.to_move():
            if int(go.consecutive_passes(self.state)) > 0:
                raise GtpError("illegal move (out of turn, and a pass would end the game)")
            self.play(coords.pass_action(self.size))

    # Search -------------------------------------------------------------------------------------

    def _simulations_for(self, colour: str) -> int:
        """The budget: max, or less when the clock says the remaining time cannot afford it."""
        if colour not in self.clock.left or self.seconds_per_simulation is None:
            return self.max_simulations
        seconds, stones = self.clock.left[colour]
        moves_left = stones if stones > 0 else max(10, self.size * self.size // 2)
        affordable = 0.8 * seconds / moves_left / self.seconds_per_simulation
        budget = self.max_simulations
        while budget > 2 and budget > affordable:  # powers-of-two steps: few compiled variants
            budget //= 2
        return budget

    def _search(self, colour: str, allow_pass: bool = True) -> tuple[int, float]:
        legal = self.legal()
        if not allow_pass and legal[:-1].any():
            legal = legal.copy()
            legal[-1] = False
        state = self.state.replace(legal_action_mask=jnp.asarray(legal))
        config = dataclasses.replace(
            self.agent.config.search, num_simulations=self._simulations_for(colour)
        )
        self.key, key = jax.random.split(self.key)
        start = time.perf_counter()
        batch = jax.tree.map(lambda x: x[None], state)
        out = search.run_jit(self.agent.params, key, batch, self.env, config)
        action, value = int(out.action[0]), float(out.root_value[0])
        elapsed = time.perf_counter() - start
        if self.seconds_per_simulation is not None or elapsed < 1.0:  # skip the compile call
            self.seconds_per_simulation = elapsed / config.num_simulations
        return action, value

    def genmove(self, colour: str, cleanup: bool = False) -> str:
        if self.game_over():
            return "pass"
        self.take_turn(colour)
        action, value = self._search(colour, allow_pass=not cleanup)
        threshold = self.resign_threshold
        self.low_value_moves = self.low_value_moves + 1 if threshold and value < threshold else 0
        if threshold is not None and self.low_value_moves >= self.resign_moves:
            return "resign"
        self.play(action)
        return coords.action_to_gtp(action, self.size)

    # Scoring and display --------------------------------------------------------------------------

    def score(self) -> float:
        """Black's area minus White's area minus komi, as pgx scores a finished game."""
        return float(self._black_margin(self.state, self.komi))

    def board_text(self) -> str:
        board = np.asarray(go.stones(self.state)).reshape(self.size, self.size)
        columns = "   " + " ".join(coords.GTP_COLUMNS[: self.size])
        rows = [columns]
        for r in range(self.size):
            cells = " ".join("X" if v > 0 else "O" if v < 0 else "." for v in board[r])
            rows.append(f"{self.size - r:>2} {cells} {self.size - r}")
        rows.append(columns)
        rows.append(f"{'Black' if self.to_move() == 'b' else 'White'} to move, komi {self.komi}")
        return "\n".join(rows)


# Protocol -----------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_COLOURS = {"b": "b", "black": "b", "w": "w", "white": "w"}


def _colour(text: str) -> str:
    if text.lower() not in _COLOURS:
        raise GtpError(f"invalid color {text!r}")
    return _COLOURS[text.lower()]


def _args(args: list[str], count: int) -> list[str]:
    if len(args) < count:
        raise GtpError("syntax error (missing arguments)")
    return args


def _number(text: str, kind: Callable = float) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise GtpError(f"syntax error ({text!r} is not a number)") from None
    if not np.isfinite(value):
        raise GtpError(f"syntax error ({text!r} is not a finite number)")
    return value


def _boardsize(engine: Engine, args: list[str]) -> str:
    size = _number(_args(args, 1)[0], int)
    if size != engine.size:
        raise GtpError(f"unacceptable size (this agent plays {engine.size}x{engine.size})")
    engine.clear_board()
    return ""


def _komi(engine: Engine, args: list[str]) -> str:
    engine.komi = _number(_args(args, 1)[0])
    return ""


def _play(engine: Engine, args: list[str]) -> str:
    colour, vertex = _colour(_args(args, 2)[0]), args[1]
    try:
        action = coords.gtp_to_action(vertex, engine.size)
    except coords.CoordinateError as error:
        raise GtpError(f"invalid vertex ({error})") from None
    engine.take_turn(colour)
    if not engine.legal()[action]:
        raise GtpError("illegal move")
    engine.play(action)
    return ""


def _undo(engine: Engine, args: list[str]) -> str:
    if len(engine.history) < 2:
        raise GtpError("cannot undo")
    engine.history.pop()
    engine.moves.pop()
    return ""


def _final_score(engine: Engine, args: list[str]) -> str:
    score = engine.score()
    return "0" if score == 0 else f"{'B' if score > 0 else 'W'}+{abs(score):g}"


def _time_settings(engine: Engine, args: list[str]) -> str:
    main, byo, stones = (_number(a) for a in _args(args, 3)[:3])
    if main < 0 or byo < 0 or stones < 0:
        raise GtpError("syntax error (negative time)")
    engine.clock = Clock(main, byo, int(stones))
    return ""


def _time_left(engine: Engine, args: list[str]) -> str:
    colour = _colour(_args(args, 3)[0])
    seconds, stones = _number(args[1]), _number(args[2], int)
    if seconds < 0 or stones < 0:
        raise GtpError("syntax error (negative time)")
    engine.clock.left[colour] = (seconds, stones)
    return ""


COMMANDS: dict[str, Callable[[Engine, list[str]], str]] = {
    "protocol_version": lambda e, a: "2",
    "name": lambda e, a: NAME,
    "version": lambda e, a: VERSION,
    "known_command": lambda e, a: str(_args(a, 1)[0] in COMMANDS).lower(),
    "list_commands": lambda e, a: "\n".join(COMMANDS),
    "boardsize": _boardsize,
    "clear_board": lambda e, a: e.clear_board() or "",
    "komi": _komi,
    "play": _play,
    "genmove": lambda e, a: e.genmove(_colour(_args(a, 1)[0])),
    "kgs-genmove_cleanup": lambda e, a: e.genmove(_colour(_args(a, 1)[0]), cleanup=True),
    "undo": _undo,
    "showboard": lambda e, a: "\n" + e.board_text(),
    "final_score": _final_score,
    "time_settings": _time_settings,
    "time_left": _time_left,
    "quit": lambda e, a: "",
}


def parse(line: str) -> tuple[str | None, str, list[str]] | None:
    """(id, command, arguments) of one GTP line, or None for a line to ignore (empty, comment)."""
    line = _CONTROL.sub("", line.split("#", 1)[0]).replace("\t", " ").strip()
    if not line:
        return None
    words = line.split()
    ident = words.pop(0) if words[0].isdigit() else None
    if not words:
        return ident, "", []
    return ident, words[0].lower(), words[1:]


def handle(engine: Engine, line: str) -> str | None:
    """The full reply to one line (ending in a blank line), or None when the line is ignored."""
    parsed = parse(line)
    if parsed is None:
        return None
    ident, command, args = parsed
    tag = ident or ""
    try:
        if command not in COMMANDS:
            raise GtpError("unknown command" if command else "syntax error (no command)")
        result = COMMANDS[command](engine, args)
    except GtpError as error:
        return f"?{tag} {error}\n\n"
    except Exception as error:  # a bug must not kill a GUI's engine: report it and keep serving
        print(f"gtp: internal error on {line.strip()!r}: {error!r}", file=sys.stderr)
        return f"?{tag} internal error ({type(error).__name__})\n\n"
    return f"={tag} {result}\n\n" if result else f"={tag}\n\n"


def serve(engine: Engine, stdin=None, stdout=None) -> None:
    """Answers GTP commands from `stdin` until `quit` or end of input."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    for line in stdin:
        reply = handle(engine, line)
        if reply is None:
            continue
        stdout.write(reply)
        stdout.flush()
        parsed = parse(line)
        if parsed and parsed[1] == "quit":
            return
