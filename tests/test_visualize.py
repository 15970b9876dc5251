"""Search-tree pictures: a summarised mctx tree has known statistics; the PNG is written."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from conftest import play_moves

from alphazero import search, visualize
from alphazero.config import SearchConfig


def test_summarise__finds_the_block_with_known_statistics(ttt_env, ttt_params):
    params = jax.tree.map(jnp.zeros_like, ttt_params)  # uniform prior, value 0: search decides
    config = SearchConfig(algorithm="puct", num_simulations=64)
    state = play_moves(ttt_env, (0, 4, 2))  # the mover must block cell 1
    states = jax.tree.map(lambda x: x[None], state)
    key = jax.random.PRNGKey(0)
    out = search.policy_output_jit(params, key, states, ttt_env, config, explore=False)
    root = visualize.summarise(out.search_tree, max_depth=2, max_children=9)
    assert root.visits == 65  # 64 simulations + the root's own evaluation
    assert sum(child.visits for child in root.children) == 64
    best = max(root.children, key=lambda c: c.visits)
    assert best.action == 1
    for child in root.children:
        assert abs(child.prior - 1 / 6) < 1e-6  # uniform over the 6 legal moves
        if child.action != 1 and child.children:  # the opponent's reply at cell 1 wins
            reply = {c.action: c for c in child.children}
            if 1 in reply:
                assert reply[1].q == 1.0
    assert "x" in visualize.board_text(ttt_env, state)


def test_search_tree_png__writes_an_image(ttt_env, ttt_params, tmp_path):
    path = visualize.search_tree_png(
        ttt_params,
        ttt_env,
        play_moves(ttt_env, (4,)),
        SearchConfig(algorithm="puct", num_simulations=16),
        tmp_path / "tree.png",
        title="test",
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
