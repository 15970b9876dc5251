"""One frozen configuration tree for a whole run.

Every field has a one-line doc (unit, paper value where the paper gives one). The CLI in
`alphazero/cli.py` is generated from these dataclasses with tyro, so `alphazero train --help` and
docs/reference.md#configuration cannot drift from this file. Library code receives a `Config` as an
argument (or closes over one); nothing reads flags or globals.

The rules a config must satisfy (ranges, and switches that must fit the game) are checked by
`alphazero.validation.validate`, kept apart so this file stays the list of fields.

Named presets per game are plain functions returning a `Config`, in alphazero/presets.py
(`presets.PRESETS` maps a name to one); presets import this module, never the other way round.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from typing import Literal


@dataclasses.dataclass(frozen=True)
class NetworkConfig:
    """Policy/value network (alphazero/networks.py)."""

    torso: Literal["resnet", "mlp", "transformer"] = "resnet"
    """Body: residual conv tower (paper), residual MLP (tiny boards) or transformer (text)."""
    num_blocks: int = 6
    """Residual blocks in the torso (AlphaZero: 19 or 39)."""
    num_channels: int = 64
    """Conv channels, or hidden width for the MLP torso (AlphaZero: 256)."""
    num_heads: int = 4
    """Attention heads of the transformer torso (must divide num_channels)."""
    global_pooling: bool = False
    """Resnet torso: every third residual block gets a global-pooling bias (KataGo: on)."""
    score_heads: bool = False
    """Go: ownership and score-margin heads trained on the final position (KataGo: on)."""
    reply_head: bool = False
    """Resnet torso: an auxiliary head predicting the opponent's reply policy (KataGo: on)."""


@dataclasses.dataclass(frozen=True)
class SearchConfig:
    """Monte Carlo tree search (alphazero/search.py, mctx inside)."""

    algorithm: Literal["gumbel", "puct"] = "gumbel"
    """Gumbel MuZero (Danihelka et al. 2022) or AlphaZero PUCT with Dirichlet root noise."""
    num_simulations: int = 32
    """Simulations per move (AlphaZero: 800; Gumbel AlphaZero: as few as 2-16)."""
    max_depth: int = 0
    """Deepest tree level a simulation may reach; 0 = no limit (mctx: num_simulations)."""
    max_num_considered_actions: int = 16
    """Gumbel: actions sampled at the root for sequential halving (paper: 16)."""
    gumbel_scale: float = 1.0
    """Gumbel: scale of the root Gumbel noise in self-play (1.0 = paper; 0 = deterministic)."""
    dirichlet_alpha: float = 0.3
    """PUCT: Dirichlet noise concentration (AlphaZero: 0.3 chess, 0.03 Go)."""
    dirichlet_fraction: float = 0.25
    """PUCT: weight of the noise in the root prior (AlphaZero: 0.25)."""
    pb_c_init: float = 1.25
    """PUCT: exploration constant c_init (AlphaZero pseudocode: 1.25)."""
    pb_c_base: float = 19652.0
    """PUCT: exploration constant c_base (AlphaZero pseudocode: 19652)."""
    inference_dtype: Literal["float32", "bfloat16"] = "float32"
    """Precision of the network evaluations inside the search (training stays float32)."""
    score_utility: float = 0.0
    """Go, with network.score_heads: weight c of the bounded score bonus the search adds to the
    win/loss value, c (2/pi) atan((margin - root margin) / (0.5 sqrt(area))) (KataGo: 0.4)."""
    random_symmetry: bool = False
    """Square boards: the network sees every position under a random one of the 8 board
    symmetries, its policy and ownership turned back (AlphaGo Zero's search: on)."""
    keep_solutions: bool = False
    """One-player games: move toward a rewarded end the search reached (SP-MCTS, Schadd 2008)."""
    solver: bool = False
    """MCTS-Solver (Winands et al. 2008), one-player games with exact leaf checks (Countdown's
    step mode: two numbers left): proven wins and dead ends are backed up, and settled subtrees
    take no more simulations (alphazero/solver.py)."""


@dataclasses.dataclass(frozen=True)
class SelfPlayConfig:
    """Self-play data generation (alphazero/selfplay.py)."""

    num_games: int = 128
    """B: games played in parallel per iteration (AlphaZero: 5,000 TPU actors)."""
    num_moves: int = 64
    """T: moves per game slot per iteration; finished games restart, unfinished tails are masked."""
    temperature_moves: int = 30
    """Moves at the start of a game sampled from pi (AlphaZero: 30); then the search's pick."""
    random_opening_moves: int = 0
    """Up to this many uniformly random opening moves per game (0 = off), for position coverage."""
    full_search_probability: float = 1.0
    """Playout cap randomization: chance that a move gets the full search.num_simulations and a
    policy target; otherwise a cheap search without noise and a value target only (KataGo: 0.25;
    1 = off)."""
    cheap_simulations: int = 0
    """Playout cap randomization: simulations of a cheap search; 0 = num_simulations / 4
    (KataGo: 100 of 600)."""
    hindsight: bool = False
    """Hindsight relabelling (Andrychowicz et al. 2017), Countdown: a failed episode's last
    number is a solved target for its starting numbers; its positions train again with that
    target (policy: the move played, value 1). alphazero/hindsight.py."""


@dataclasses.dataclass(frozen=True)
class ReplayConfig:
    """Replay window (alphazero/replay.py)."""

    capacity: int = 100_000
    """Positions kept, oldest dropped first (AlphaZero pseudocode: the last 1e6 games)."""
    reuse: float = 4.0
    """Samples drawn per new position with a policy target: updates per iteration = reuse *
    new positions * selfplay.full_search_probability / batch."""
    in_checkpoint: bool = True
    """Save the window in checkpoints (False: checkpoints of a few MiB that can be copied or
    committed; a resumed run then refills an empty window, so it is no longer bit-identical)."""


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Learner (alphazero/losses.py, alphazero/train.py)."""

    num_iterations: int = 100
    """Self-play + learning iterations in the run (may be raised when resuming)."""
    max_minutes: float = 0.0
    """Stop early once the run's wall time over all sessions (imitation included) reaches this
    many minutes, after a checkpoint; 0 = no limit (equal-time comparisons, time budgets)."""
    batch_size: int = 256
    """Positions per gradient step (AlphaZero: 4,096)."""
    learning_rate: float = 1e-3
    """Adam step size at the start (AlphaZero: SGD 0.2 -> 0.0002 with momentum 0.9)."""
    learning_rate_schedule: Literal["constant", "cosine"] = "constant"
    """Step-size schedule over the planned run (AlphaZero: steps down twice; cosine is smoother)."""
    final_learning_rate_fraction: float = 0.1
    """Cosine only: step size at the last planned update, as a fraction of `learning_rate`."""
    warmup_updates: int = 0
    """Raise the step size linearly from 0 over this many RL updates (a fresh Adam state's first
    steps move every weight by about the step size, e.g. right after imitation); 0 = off
    (AlphaZero: off)."""
    ema_decay: float = 0.0
    """Keep an exponential moving average of the parameters (decay per update) for evaluation,
    load_agent and play; 0 = off (AlphaZero: off)."""
    weight_decay: float = 1e-4
    """Decoupled weight decay (AdamW); AlphaZero: L2 penalty 1e-4."""
    value_loss_weight: float = 1.0
    """Weight of the value loss against the policy loss (AlphaZero: 1)."""
    ownership_loss_weight: float = 1.5
    """network.score_heads: weight of the per-point ownership cross-entropy, a mean over points
    (KataGo: 1.5)."""
    score_loss_weight: float = 0.02
    """network.score_heads: weight of the score-margin Huber loss (delta 10 points) (KataGo:
    0.02 on each of its two score-distribution losses; docs/deviations.md)."""
    reply_loss_weight: float = 0.15
    """network.reply_head: weight of the opponent-reply policy cross-entropy (KataGo: 0.15)."""
    augment: bool = True
    """Apply a random board symmetry to each training sample (AlphaGo Zero: 8 dihedral maps)."""
    max_skipped_updates: int = 20
    """Stop the run after this many consecutive updates skipped for a non-finite loss, gradient or
    parameter (learner.train_step skips each one); 0 = never stop."""


@dataclasses.dataclass(frozen=True)
class EvalConfig:
    """Periodic evaluation (alphazero/evaluate.py)."""

    every: int = 10
    """Evaluate every this many iterations (and after the last one); 0 = only at the end."""
    num_games: int = 64
    """Arena games per opponent, half with each colour."""
    num_simulations: int = 32
    """Simulations per move of the evaluated search agent (and of `load_agent`'s default)."""
    algorithm: Literal["gumbel", "puct"] = "puct"
    """Search used when playing (arena, load_agent, play); self-play uses search.algorithm."""
    opponents: tuple[str, ...] = ("random",)
    """Opponents: random, policy (raw net), minimax (tic-tac-toe), alphabeta-D (connect four),
    gnugo-L (Go: GNU Go level L over GTP; adds the Elo against GNU Go level 10)."""
    exhaustive: bool = False
    """Tic-tac-toe only: check the agent on all 4,520 reachable non-terminal positions."""
    pass_rule: Literal["free", "settle", "tromp-taylor"] = "free"
    """Go against GNU Go: root moves the agent may not choose. settle: never its own one-point
    eyes; after the opponent's pass, pass when that wins, else nothing inside its own territory
    (KataGo's pruning of useless moves). tromp-taylor: pass only to end a won game or with
    nothing left but own eyes (Fuego). docs/deviations.md; also `alphazero eval`'s default."""
    opening_samples: int = 2
    """Go against GNU Go: the agent's first this many moves of each game are sampled from pi
    (temperature 1), so that games against a deterministic engine differ."""
    random_symmetry: bool = False
    """The evaluated agent's search sees each position under a random board symmetry
    (search.random_symmetry, for playing: arena, GNU Go, load_agent)."""
    turn_engine: bool = False
    """Go against GNU Go: GNU Go sees game g's board under symmetry (seed + g) % 8 and its moves
    are turned back; its choice among equal moves depends on the orientation, so games differ
    at no cost to either player's strength."""


@dataclasses.dataclass(frozen=True)
class SupervisedConfig:
    """Imitation phase before RL (alphazero/imitation.py); runs when `imitation` names data."""

    num_steps: int = 2000
    """Gradient steps on expert positions, batch train.batch_size (AlphaGo SL: 340 M positions)."""
    learning_rate: float = 1e-3
    """AdamW step size at the start; cosine decay to 10% of it over num_steps."""
    max_games: int = 0
    """Use only the first this many usable games of the data (0 = all): quick trials, learning
    curves over the data size, CI's tutorial runs."""
    validation_fraction: float = 0.1
    """Share of the distinct games held out for validation (by game, never by position)."""
    eval_every: int = 250
    """Held-out accuracy and value error every this many steps (and after the last); 0 = end."""
    checkpoint_every: int = 250
    """Save the phase every this many steps (and after the last), for resuming mid-phase."""


@dataclasses.dataclass(frozen=True)
class Config:
    """A whole run: the game, the seed and one section per loop phase."""

    game: str = "tic_tac_toe"
    """Registered game name (games.available())."""
    seed: int = 0
    """Seed of the run's single PRNG key; the same seed reproduces the run bit for bit on CPU."""
    checkpoint_every: int = 1
    """Save a checkpoint every this many iterations (and after the last one)."""
    imitation: str = ""
    """Expert games for a supervised phase before RL: a .jsonl file (scripts/make_expert_games.py;
    for Go, match records) or a folder of .sgf files; empty = RL from scratch (AlphaGo: SL, then
    RL)."""
    supervised: SupervisedConfig = SupervisedConfig()
    network: NetworkConfig = NetworkConfig()
    search: SearchConfig = SearchConfig()
    selfplay: SelfPlayConfig = SelfPlayConfig()
    replay: ReplayConfig = ReplayConfig()
    train: TrainConfig = TrainConfig()
    eval: EvalConfig = EvalConfig()


# Fields that may differ when resuming a run (`alphazero train --workdir W ...`): they change how
# long or how often things happen, never what the learned function is.
RESUMABLE_FIELDS = (
    "train.num_iterations",
    "train.max_minutes",
    "eval.every",
    "eval.num_games",
    "eval.num_simulations",
    "eval.algorithm",
    "eval.opponents",
    "eval.exhaustive",
    "eval.pass_rule",
    "eval.opening_samples",
    "eval.turn_engine",
    "eval.random_symmetry",
    "checkpoint_every",
    "supervised.eval_every",
    "supervised.checkpoint_every",
    "train.max_skipped_updates",
)


class ConfigError(ValueError):
    """A config that cannot run; the message is one line naming the field."""


# Serialisation (workdir/config.json) --------------------------------------------------------------


def to_dict(config: Config) -> dict:
    """The config as nested plain-Python values (JSON-ready)."""
    return dataclasses.asdict(config)


def from_dict(data: dict) -> Config:
    """Inverse of `to_dict`; a ValueError (one line naming the field) for an unknown field or a
    value of the wrong type. Missing fields take their defaults."""

    def build(cls, values, prefix: str):
        if not isinstance(values, dict):
            raise ValueError(f"{prefix or 'the config'} must be a JSON object, got "
                             f"{type(values).__name__}")  # fmt: skip
        hints = typing.get_type_hints(cls)
        unknown = set(values) - set(hints)
        if unknown:
            raise ValueError(f"unknown config field(s) {sorted(unknown)} in {cls.__name__}")
        kwargs = {}
        for name, value in values.items():
            hint, where = hints[name], f"{prefix}{name}"
            if dataclasses.is_dataclass(hint):
                kwargs[name] = build(hint, value, f"{where}.")
            else:
                kwargs[name] = _typed(where, hint, value)
        return cls(**kwargs)

    return build(Config, data, "")


def _typed(name: str, hint, value):
    """`value` as field `name` of type `hint` holds it (a JSON int for a float field becomes a
    float, a list for a tuple field a tuple); a ValueError naming the field otherwise."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        ok = value in args and type(value) is type(args[0])
    elif origin is tuple:
        ok = isinstance(value, list | tuple) and all(type(v) is args[0] for v in value)
        value = tuple(value) if ok else value
    elif hint is float:
        ok = type(value) in (int, float)
        value = float(value) if ok else value
    else:  # int, str, bool: exactly (True is not an int here)
        ok = type(value) is hint
    if not ok:
        want = getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
        raise ValueError(f"config field {name} must be {want}, got {value!r:.60}")
    return value


def leaves(d: dict, prefix: str = ""):
    """(dotted name, value) of every field of a nested config dict."""
    for key, value in d.items():
        if isinstance(value, dict):
            yield from leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def to_json(config: Config) -> str:
    return json.dumps(to_dict(config), indent=2, sort_keys=True)


def diff(old: Config, new: Config) -> list[str]:
    """Dotted names of the fields that differ between two configs."""
    a, b = dict(leaves(to_dict(old))), dict(leaves(to_dict(new)))
    return sorted(k for k in a if a[k] != b[k])
