"""MCTS-Solver (Winands, Björnsson & Saito 2008) for one-player games, inside mctx's search.

    loop_fn = solver.loop_fn(env)        # mctx's `loop_fn`: proofs after each simulation
    qtransform = solver.qtransform(q)    # proven children score as won or lost

A node is *proven* when its return is known exactly: `env.exact_value(state)` says so for a
finished episode (its reward) and, in Countdown's step mode, for two numbers left (one of four
ops reaches the target or none does: the only exact check the search makes). Proofs climb the
tree after every simulation, as in MCTS-Solver's backup for one player:

    won(n)  = exact value 1,  or  some child of n is won;
    lost(n) = exact value 0,  or  every legal child of n is expanded and lost.

`proven` holds, per node, the proven return of the edge into it (+1 won, -1 lost, 0 not yet).
The search then stops spending simulations on what is settled: a lost child's Q becomes
`LOST_Q` (never selected, no weight in Gumbel's policy target), a won child's `WON_Q`
(always selected, all the target's weight), and `recommend` moves to a won child when the root
has one. mctx has no slot for this, so the proofs ride in `tree.extra_data` (`SolverData`, whose
`root_gumbel` field is what Gumbel MuZero's root selection reads there).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import mctx

LOST_Q = -1e9  # as low as an illegal move: never selected, no policy weight
WON_Q = 1e9  # above every unproven child: always selected, all the policy weight


class SolverData(NamedTuple):
    """`tree.extra_data` of a search with the solver."""

    root_gumbel: jax.Array | None  # [B, A] Gumbel MuZero's root noise (None under PUCT)
    proven: jax.Array  # [B, N] int32: +1 won, -1 lost, 0 unknown, the edge into each node


def status(env, state) -> jax.Array:
    """One state's exact status: +1 proven won, -1 proven lost, 0 not known exactly."""
    known, value = env.exact_value(state)
    return jnp.where(known, jnp.where(value > 0, 1, -1), 0).astype(jnp.int32)


def prove(env, tree: mctx.Tree, node: jax.Array) -> jax.Array:
    """One tree (unbatched): `proven` [N] after `node` was expanded, its status and then its
    ancestors' recomputed from their children up to the root. Exactly known nodes keep their
    status (a finished episode's children are no-op expansions)."""
    at = lambda n: jax.tree.map(lambda x: x[n], tree.embeddings)  # noqa: E731
    proven = tree.extra_data.proven.at[node].set(status(env, at(node)))

    def climb(carry):
        child, proven = carry
        parent = tree.parents[child]
        children = tree.children_index[parent]  # [A], -1 = not expanded
        legal = tree.embeddings.legal_action_mask[parent]  # [A]
        of_children = jnp.where(children >= 0, proven[jnp.maximum(children, 0)], 0)
        won = jnp.any(legal & (of_children == 1))
        lost = jnp.all(~legal | (of_children == -1))
        exact = status(env, at(parent))
        new = jnp.where(exact != 0, exact, jnp.where(won, 1, jnp.where(lost, -1, 0)))
        return parent, proven.at[parent].set(new)

    def below_root(carry):
        return tree.parents[carry[0]] != mctx.Tree.NO_PARENT

    return jax.lax.while_loop(below_root, climb, (node, proven))[1]


def loop_fn(env):
    """An mctx `loop_fn`: the simulations of `fori_loop`, each followed by `prove` on the node it
    expanded (simulation i expands node i + 1; the root is checked first)."""

    def run(lower, upper, body, init):
        key, tree = init
        gumbel = getattr(tree.extra_data, "root_gumbel", None)
        root = jax.tree.map(lambda x: x[:, mctx.Tree.ROOT_INDEX], tree.embeddings)
        proven = jnp.zeros(tree.node_values.shape, jnp.int32)
        proven = proven.at[:, mctx.Tree.ROOT_INDEX].set(jax.vmap(lambda s: status(env, s))(root))
        tree = tree.replace(extra_data=SolverData(gumbel, proven))

        def simulation(i, carry):
            key, tree = body(i, carry)
            proofs = jax.vmap(prove, in_axes=(None, 0, None))(env, tree, i + 1)
            return key, tree.replace(extra_data=tree.extra_data._replace(proven=proofs))

        return jax.lax.fori_loop(lower, upper, simulation, (key, tree))

    return run


def children_status(tree: mctx.Tree, node_index: jax.Array) -> jax.Array:
    """One tree (unbatched): [A] the proven status of `node_index`'s children (0 unexpanded)."""
    children = tree.children_index[node_index]
    return jnp.where(children >= 0, tree.extra_data.proven[jnp.maximum(children, 0)], 0)


def qtransform(qtransform):
    """Wraps an mctx Q-transform: proven children score `WON_Q` or `LOST_Q`."""

    def fn(tree: mctx.Tree, node_index: jax.Array) -> jax.Array:
        q = qtransform(tree, node_index)
        proven = children_status(tree, node_index)
        return jnp.where(proven == 1, WON_Q, jnp.where(proven == -1, LOST_Q, q))

    return fn


def recommend(tree: mctx.Tree, action: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Batched trees: the recommended move [B] (a won root child where there is one, the one
    with the highest prior; else `action`) and the root's value [B] (1 or 0 where proven)."""
    root = mctx.Tree.ROOT_INDEX
    proven = jax.vmap(children_status, in_axes=(0, None))(tree, root)  # [B, A]
    won = proven == 1
    prior = tree.children_prior_logits[:, root]
    best = jnp.argmax(jnp.where(won, prior, -jnp.inf), axis=-1).astype(jnp.int32)
    action = jnp.where(won.any(-1), best, action)
    value = tree.node_values[:, root]
    root_status = tree.extra_data.proven[:, root]
    value = jnp.where(root_status == 1, 1.0, jnp.where(root_status == -1, 0.0, value))
    return action, value
