"""Pictures of a search: one mctx search tree drawn with matplotlib.

    from alphazero import visualize
    visualize.search_tree_png(params, env, state, search_config, "tree.png")

Each box is a node reached by the action on its edge, labelled with its visit count N, the mean
value Q of the edge from the view of the player who chose it (mctx's `qvalues`: reward plus
discounted child value, so a winning move shows Q = +1), and the prior P the network gave the
action. Only edges with at least `min_visits` visits are drawn, at most `max_children` per node
(the most visited), down to `max_depth` edges below the root.
"""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import jax
import jax.numpy as jnp
import mctx
import numpy as np

from alphazero import networks, search
from alphazero.config import SearchConfig


@dataclasses.dataclass
class Node:
    """One drawn node: the edge that leads to it and the statistics of that edge."""

    action: int | None  # None at the root
    visits: int  # N
    q: float  # Q of the edge (chooser's view); the root's own search value at the root
    prior: float  # P of the edge; 1 at the root
    children: list[Node]


def summarise(
    tree: mctx.Tree, index: int = 0, max_depth: int = 2, min_visits: int = 1, max_children: int = 5
) -> Node:
    """The `index`-th tree of a batched mctx Tree as nested `Node`s (host-side numpy)."""
    t = jax.tree.map(lambda x: np.asarray(x[index]), tree)

    def visit(node: int, action: int | None, q: float, prior: float, depth: int) -> Node:
        result = Node(action, int(t.node_visits[node]), q, prior, [])
        if depth == max_depth:
            return result
        priors = np.asarray(jax.nn.softmax(jnp.asarray(t.children_prior_logits[node])))
        qvalues = t.children_rewards[node] + t.children_discounts[node] * t.children_values[node]
        order = np.argsort(-t.children_visits[node], kind="stable")[:max_children]
        for a in order:
            child = int(t.children_index[node, a])
            if child >= 0 and t.children_visits[node, a] >= min_visits:
                result.children.append(
                    visit(child, int(a), float(qvalues[a]), float(priors[a]), depth + 1)
                )
        return result

    return visit(mctx.Tree.ROOT_INDEX, None, float(t.node_values[0]), 1.0, 0)


def _layout(node: Node, depth: int, x: list[float], out: list) -> float:
    """Leaves get consecutive x positions; a parent sits above the middle of its children."""
    if not node.children:
        pos = x[0]
        x[0] += 1.0
    else:
        positions = [_layout(child, depth + 1, x, out) for child in node.children]
        pos = (positions[0] + positions[-1]) / 2
    out.append((node, pos, depth))
    return pos


def board_text(env, state) -> str:
    """The position as text from the mover's view (x = to move, o = opponent); '' if not a board."""
    obs = np.asarray(state.observation)
    if obs.ndim != 3 or obs.shape[-1] < 2:
        return ""
    rows = ["".join("x" if c[0] else "o" if c[1] else "." for c in row) for row in obs]
    return "\n".join(" ".join(r) for r in rows)


def predicted_ownership(params, state) -> tuple[np.ndarray, float] | None:
    """The network's ownership map [N, N] in [-1, 1] and predicted margin (points) for one
    unbatched Go `state`, from the mover's view; None when the net has no score heads."""
    heads = networks.apply_heads(params, state.observation[None])
    if heads.ownership is None:
        return None
    size = state.observation.shape[0]
    owner = np.tanh(np.asarray(heads.ownership[0], np.float32)).reshape(size, size)
    return owner, float(heads.score[0])


def ownership_text(owner: np.ndarray) -> str:
    """A map of `owner` [N, N] in [-1, 1]: X / O where the positive / negative side owns a point
    with confidence >= 0.6, x / o where it leans (>= 0.2), '.' otherwise."""

    def mark(v: float) -> str:
        side = "X" if v > 0 else "O"
        return side if abs(v) >= 0.6 else side.lower() if abs(v) >= 0.2 else "."

    return "\n".join(" ".join(mark(v) for v in row) for row in owner)


def draw(root: Node, path: str | Path, title: str = "", action_names=None, board: str = "") -> Path:
    """Draws a summarised tree to a PNG file; returns its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    placed: list = []
    width = _layout(root, 0, [0.0], placed)
    leaves = max(1.0, 2 * width + 1)
    depth = max(d for _, _, d in placed)
    # A tall root box (a Go board and its ownership map) sits above the tree, not over it.
    lines = board.count("\n") + 3 if board else 1
    half = lines * 7 * 1.3 / 72 / 2 / 1.6  # half the root box, in tree levels of 1.6 inches
    rise = max(0.0, half - 0.3)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.25 * leaves), 1.0 + 1.6 * (depth + 1 + rise)))
    where = {id(node): (pos, -d if d else rise) for node, pos, d in placed}
    for node, pos, _ in placed:
        for child in node.children:
            cx, cy = where[id(child)]
            ax.plot([pos, cx], [where[id(node)][1], cy], color="0.6",
                    lw=0.8 + 2.5 * child.visits / root.visits)  # fmt: skip
    for node, pos, _ in placed:
        if node.action is None:
            label = f"{board}\n\nroot N={node.visits}  V={node.q:+.2f}".lstrip()
        else:
            name = action_names(node.action) if action_names else f"a={node.action}"
            label = f"{name}\nN={node.visits}  Q={node.q:+.2f}\nP={node.prior:.2f}"
        colour = plt.cm.RdYlGn((node.q + 1) / 2) if node.action is not None else "white"
        box = dict(boxstyle="round", fc=colour, ec="0.3", alpha=0.9)
        font = "monospace" if node.action is None else None
        ax.text(pos, where[id(node)][1], label, ha="center", va="center", fontsize=7, bbox=box,
                family=font)  # fmt: skip
    ax.set_xlim(-0.7, max(p for _, p, _ in placed) + 0.7)
    ax.set_ylim(-depth - 0.6, 0.6 + 2 * rise)
    ax.axis("off")
    ax.set_title(textwrap.fill(title, int(13 * fig.get_figwidth())), fontsize=9)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def search_tree_png(
    params,
    env,
    state,
    config: SearchConfig,
    path: str | Path,
    key: jax.Array | None = None,
    max_depth: int = 2,
    title: str = "",
) -> Path:
    """Runs one search (no exploration noise) from an unbatched pgx `state` and draws its tree.

    The root box shows the position from the mover's view: x to move, o the opponent.
    """
    key = jax.random.PRNGKey(0) if key is None else key
    states = jax.tree.map(lambda x: x[None], state)
    out = search.policy_output_jit(params, key, states, env, config, explore=False)
    root = summarise(out.search_tree, 0, max_depth=max_depth)
    names = _action_names(env)
    board = board_text(env, state)
    predicted = predicted_ownership(params, state) if env.id.startswith("go_") else None
    if predicted is not None:  # KataGo's ownership head: who the net expects to own each point
        owner, margin = predicted
        board += f"\n\nownership (X mover, O opponent)\n{ownership_text(owner)}"
        board += f"\npredicted margin {margin:+.1f}"
    return draw(root, path, title=title, action_names=names, board=board)


def _action_names(env):
    if env.id == "tic_tac_toe":  # cells row by row: a1 b1 c1 / a2 ... (row 1 at the top)
        return lambda a: f"{'abc'[a % 3]}{a // 3 + 1}"
    if env.id == "connect_four":
        return lambda a: f"col {a + 1}"
    return None


def tree_command(workdir, game, moves, simulations, algorithm, depth, out) -> Path:
    """`alphazero tree`: the position after `moves`, searched by a trained or an untrained net."""
    import games
    from alphazero import networks
    from alphazero.config import ConfigError, NetworkConfig

    if workdir is not None:
        from alphazero.agent import load_agent

        agent = load_agent(workdir)
        env, params, base, who = agent.env, agent.params, agent.config.search, workdir
    else:
        if game not in games.available():
            raise ConfigError(f"unknown game {game!r}; available: {', '.join(games.available())}")
        env, base, who = games.make(game), SearchConfig(), "untrained net"
        params = networks.init(jax.random.PRNGKey(0), env, NetworkConfig("mlp", 1, 8))
        params = jax.tree.map(jnp.zeros_like, params)  # uniform prior, value 0
    state = env.init(jax.random.PRNGKey(0))
    for move in moves:
        if not 0 <= move < env.num_actions or not bool(state.legal_action_mask[move]):
            raise ConfigError(f"move {move} is not legal in that position")
        state = env.step(state, jnp.int32(move))
    if bool(state.terminated):
        raise ConfigError("the game is over after those moves; nothing to search")
    config = dataclasses.replace(base, num_simulations=simulations, algorithm=algorithm)
    title = f"{env.id}, moves {moves or '(none)'}: {algorithm} {simulations} simulations, {who}"
    return search_tree_png(params, env, state, config, out, max_depth=depth, title=title)
