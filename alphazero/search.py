"""Monte Carlo tree search over the real game, with mctx: PUCT or Gumbel behind one call.

    output = search.run(params, key, states, env, config.search)   # states: batched pgx State [B]
    output.action [B], output.action_weights [B, A], output.root_value [B]

The environment itself is the model (AlphaZero, not MuZero): mctx's `embedding` is the pgx `State`,
and `recurrent_fn` steps it with `env.step`, so simulations follow the exact rules.

Algorithms (`SearchConfig.algorithm`):
  * "puct": AlphaZero. Select argmax_a Q(s,a) + c(s) P(s,a) sqrt(N(s)) / (1 + N(s,a)) with
    c(s) = c_init + log((N(s) + c_base + 1) / c_base); Dirichlet(alpha) noise mixed into the root
    prior with weight `dirichlet_fraction`. `action_weights` = root visit counts / N.
  * "gumbel": Gumbel MuZero (Danihelka et al., ICLR 2022). Gumbel-top-k sampling and sequential
    halving at the root; deterministic interior selection; `action_weights` =
    softmax(prior_logits + sigma(completed Q)), an improvement target even at 2-32 simulations.

Sign convention for two-player zero-sum games. Every value is from the view of the player to move
at that node. The reward of an edge is the reward of the player who made the move; the discount is
-1 so the child's value (the opponent's view) is negated when it is backed up; a terminal child has
discount 0 and value 0. One-player games (num_players == 1) use discount +1.

Kept solutions (`SearchConfig.keep_solutions`, one-player games). A simulation that reaches a
rewarded end (Countdown: a verified solution) has found a winning path, but AlphaZero's choice
(visits, or Gumbel's sigma(Q)) averages it with its siblings' failures and may move elsewhere.
Single-player MCTS keeps the best sequence found (Schadd et al. 2008); here the recommended move
becomes the root action on the path to the highest-rewarded edge in the tree, when it is positive.
`action_weights` (the policy target) are unchanged.

MCTS-Solver (`SearchConfig.solver`, one-player games whose env has `exact_value`): proven values
climb the tree and settled subtrees stop taking simulations (alphazero/solver.py).

Illegal actions. The root uses mctx's `invalid_actions`. Interior nodes are masked too: prior logits
of illegal moves are set to the dtype minimum (prior exactly 0), and the Q-transform is wrapped so
that an illegal child scores -1e9; the node's legal mask is read from the tree's embeddings.
mctx rebuilds the tree every move (no subtree reuse).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import mctx

from alphazero import networks, ownership, solver, targets
from alphazero.config import SearchConfig

_ILLEGAL_Q = -1e9


class SearchOutput(NamedTuple):
    action: jax.Array  # [B] int32, the move the search recommends
    action_weights: jax.Array  # [B, A] improved policy pi, the policy target
    root_value: jax.Array  # [B] search value of the root, mover's view


def score_utility(
    win_value: jax.Array, score_margin: jax.Array, centre: jax.Array, scale: float, factor: float
) -> jax.Array:
    """KataGo's utility (Wu 2019, section 4.2; `dynamicScoreUtilityFactor`): the win/loss value
    plus a bounded bonus for the predicted score margin, all from the mover's view,

        u = v + factor * (2 / pi) * atan((score_margin - centre) / scale),

    with `centre` the root's predicted margin (so the bonus rewards doing better than expected)
    and `scale` = 0.5 * sqrt(board area) in KataGo. The bonus lies in (-factor, factor) and grows
    with the margin, so a side that is behind still fights for points and a side that is ahead
    does not give them away; factor 0 is plain win/loss. Shapes broadcast."""
    return win_value + factor * (2 / jnp.pi) * jnp.arctan((score_margin - centre) / scale)


def mask_logits(logits: jax.Array, legal_action_mask: jax.Array) -> jax.Array:
    """Illegal actions get the dtype minimum, i.e. probability exactly 0 after softmax."""
    return jnp.where(legal_action_mask, logits, jnp.finfo(logits.dtype).min)


def evaluate_network(
    params, observation: jax.Array, config: SearchConfig, key: jax.Array | None = None
) -> networks.Heads:
    """The network as the search sees it: every head, in float32. With `config.random_symmetry`
    (and a `key`), each position [B] goes through a random one of the 8 symmetries of its square
    board and the board-shaped outputs are turned back (AlphaGo Zero, "Search algorithm")."""
    dtype = None if config.inference_dtype == "float32" else jnp.dtype(config.inference_dtype)
    if key is None or not config.random_symmetry:
        return networks.apply_heads(params, observation, dtype)
    batch, size = observation.shape[0], observation.shape[1]
    cells = jnp.asarray(targets.dihedral_cells(size))[jax.random.randint(key, (batch,), 0, 8)]
    planes = observation.reshape(batch, size * size, -1)  # turned cell i reads cells[i]
    turned = jnp.take_along_axis(planes, cells[:, :, None], axis=1).reshape(observation.shape)
    heads = networks.apply_heads(params, turned, dtype)
    back = jnp.argsort(cells, axis=1)  # the inverse permutation: cell j was turned cell back[j]

    def unturn(x):  # [B, A]: the board part moves back, pass stays
        if x is None:
            return None
        return jnp.concatenate([jnp.take_along_axis(x[:, : size * size], back, 1),
                                x[:, size * size :]], axis=1)  # fmt: skip

    return heads._replace(prior_logits=unturn(heads.prior_logits),
                          ownership=unturn(heads.ownership),
                          reply_logits=unturn(heads.reply_logits))  # fmt: skip


class Centre(NamedTuple):
    """What the score utility compares against, one per search [B] (passed through mctx with
    the parameters): the root's predicted margin and the player it belongs to."""

    margin: jax.Array  # [B] predicted final margin at the root, the root mover's view
    player: jax.Array  # [B] int32, the player to move at the root


def make_recurrent_fn(env, config: SearchConfig) -> mctx.RecurrentFn:
    """mctx recurrent function: one real environment step plus a network evaluation. With
    `config.score_utility`, mctx's params are (network params, Centre) and every value it sees
    is the score utility: the network's value plus the bonus for its predicted margin, and at a
    finished game the reward plus the bonus for the real margin."""
    discount_sign = -1.0 if env.num_players == 2 else 1.0
    factor = config.score_utility

    def recurrent_fn(params, key, action, state):
        params, centre = params if factor else (params, None)
        mover = state.current_player  # [B]
        colour = jax.vmap(ownership.colour_to_move)(state) if factor else None
        state = jax.vmap(env.step)(state, action)
        heads = evaluate_network(params, state.observation, config, key)
        reward = jnp.take_along_axis(state.rewards, mover[:, None], axis=1)[:, 0]
        done = state.terminated | state.truncated
        value = heads.value
        if config.solver:  # MCTS-Solver: where the rules settle the value, use it exactly
            known, exact = jax.vmap(env.exact_value)(state)
            value = jnp.where(known, exact, value)
        if factor:  # margins from each side's view: the centre flips sign with the player
            scale = ownership.margin_scale(env)
            toward = jnp.where(state.current_player == centre.player, 1.0, -1.0)
            value = score_utility(value, heads.score, toward * centre.margin, scale, factor)
            final = jax.vmap(ownership.final_targets, in_axes=(None, 0, 0))(env, state, colour)[1]
            toward = jnp.where(mover == centre.player, 1.0, -1.0)
            bonus = score_utility(0.0, final, toward * centre.margin, scale, factor)
            reward = jnp.where(state.terminated, reward + bonus, reward)
        output = mctx.RecurrentFnOutput(
            reward=reward,
            discount=jnp.where(done, 0.0, discount_sign),
            prior_logits=mask_logits(heads.prior_logits, state.legal_action_mask),
            value=jnp.where(done, 0.0, value),
        )
        return output, state

    return recurrent_fn


def _masked_qtransform(qtransform):
    """Wraps an mctx Q-transform so illegal children of any node score _ILLEGAL_Q."""

    def fn(tree: mctx.Tree, node_index: jax.Array) -> jax.Array:
        legal = tree.embeddings.legal_action_mask[node_index]  # [A]
        return jnp.where(legal, qtransform(tree, node_index), _ILLEGAL_Q)

    return fn


def run(
    params, key: jax.Array, states, env, config: SearchConfig, *, explore: bool = True
) -> SearchOutput:
    """Searches from a batch of states [B]; `explore` adds root noise (Dirichlet or Gumbel)."""
    out = policy_output(params, key, states, env, config, explore=explore)
    action = out.action
    if config.algorithm == "puct":
        # The recommended move is the most visited one; sampling is selfplay.py's business.
        action = jnp.argmax(out.action_weights, axis=-1).astype(jnp.int32)
    if config.keep_solutions and env.num_players == 1:
        found, solution = jax.vmap(found_solution)(out.search_tree)
        action = jnp.where(found, solution, action)
    root_value = out.search_tree.node_values[:, mctx.Tree.ROOT_INDEX]
    if config.solver:
        action, root_value = solver.recommend(out.search_tree, action)
    return SearchOutput(action=action, action_weights=out.action_weights, root_value=root_value)


def found_solution(tree: mctx.Tree) -> tuple[jax.Array, jax.Array]:
    """One tree (unbatched): whether an expanded edge has a positive reward [], and the root
    action on the path to the highest-rewarded such edge [] (one-player games only)."""
    reward = jnp.where(tree.children_index >= 0, tree.children_rewards, -jnp.inf)  # [N, A]
    node, action = jnp.unravel_index(jnp.argmax(reward), reward.shape)
    root = mctx.Tree.ROOT_INDEX

    def climb(_, n):  # up to the root's child on the path (a node's parent index is smaller)
        return jnp.where((n != root) & (tree.parents[n] != root), tree.parents[n], n)

    child = jax.lax.fori_loop(0, reward.shape[0], climb, node)
    first = jnp.where(node == root, action, tree.action_from_parent[child])
    return reward[node, action] > 0, first.astype(jnp.int32)


def policy_output(
    params, key: jax.Array, states, env, config: SearchConfig, *, explore: bool = True
) -> mctx.PolicyOutput:
    """The raw mctx output, search tree included (for tests and tree pictures)."""
    if config.random_symmetry:  # a key of its own, so runs without it draw as before
        key, turn_key = jax.random.split(key)
    heads = evaluate_network(params, states.observation, config,
                             turn_key if config.random_symmetry else None)  # fmt: skip
    root = mctx.RootFnOutput(
        prior_logits=mask_logits(heads.prior_logits, states.legal_action_mask),
        value=heads.value,  # the score bonus is 0 at the root: its margin is the centre
        embedding=states,
    )
    if config.score_utility:
        params = (params, Centre(heads.score, states.current_player))
    common = dict(
        params=params,
        rng_key=key,
        root=root,
        recurrent_fn=make_recurrent_fn(env, config),
        num_simulations=config.num_simulations,
        invalid_actions=~states.legal_action_mask,
        max_depth=config.max_depth or None,
    )
    proofs = solver.qtransform if config.solver else (lambda q: q)
    if config.solver:
        common["loop_fn"] = solver.loop_fn(env)
    if config.algorithm == "gumbel":
        out = mctx.gumbel_muzero_policy(
            **common,
            max_num_considered_actions=config.max_num_considered_actions,
            gumbel_scale=config.gumbel_scale if explore else 0.0,
            qtransform=proofs(_masked_qtransform(mctx.qtransform_completed_by_mix_value)),
        )
    elif config.algorithm == "puct":
        out = mctx.muzero_policy(
            **common,
            dirichlet_fraction=config.dirichlet_fraction if explore else 0.0,
            dirichlet_alpha=config.dirichlet_alpha,
            pb_c_init=config.pb_c_init,
            pb_c_base=config.pb_c_base,
            qtransform=proofs(_masked_qtransform(mctx.qtransform_by_parent_and_siblings)),
        )
    else:
        raise ValueError(f"unknown search algorithm {config.algorithm!r}")
    return out


@functools.partial(jax.jit, static_argnames=("env", "config"))
def run_jit(params, key, states, env, config: SearchConfig, explore: bool = False):
    """Jitted `run` for interactive use (tests, the play command); env and config are static."""
    return run(params, key, states, env, config, explore=explore)


policy_output_jit = jax.jit(policy_output, static_argnames=("env", "config", "explore"))
"""Jitted `policy_output` (the search tree included) for interactive use; env, config static."""
