"""alphazero/go/ladder.py: the anchor of a ladder and an agent's name on it (known answers); the
games themselves are tested through `alphazero eval` (tests/test_match.py) and the in-training
evaluation against GNU Go (tests/test_evaluate.py)."""

from __future__ import annotations

from types import SimpleNamespace

from alphazero.config import SearchConfig
from alphazero.go import ladder


def test_anchor__gnugo_10_else_the_strongest_level_else_the_first():
    assert ladder.anchor_of(["gnugo-1", "gnugo-10", "agent"]) == "gnugo-10"
    assert ladder.anchor_of(["agent", "gnugo-3", "gnugo-7", "random-no-eyefill"]) == "gnugo-7"
    assert ladder.anchor_of(["random-no-eyefill", "agent"]) == "random-no-eyefill"
    assert ladder.anchor_of(["gnugo-2", "gnugo-10x"]) == "gnugo-2"  # not a level: ignored


def test_agent_name__says_what_differs_from_the_run():
    search = SearchConfig(num_simulations=32)
    agent = SimpleNamespace(iteration=66, config=SimpleNamespace(search=search))
    assert ladder.agent_name(agent) == "agent-66@32"
    assert ladder.agent_name(agent, pass_rule="tromp-taylor") == "agent-66@32-ttpass"
    assert ladder.agent_name(agent, opening_samples=4) == "agent-66@32-open4"
    assert ladder.agent_name(agent, pass_rule="settle") == "agent-66@32-settle"
    turned = SimpleNamespace(search=SearchConfig(num_simulations=32, random_symmetry=True))
    assert ladder.agent_name(SimpleNamespace(iteration=5, config=turned)) == "agent-5@32-sym"
    bf16 = SearchConfig(num_simulations=8, inference_dtype="bfloat16", algorithm="puct")
    agent = SimpleNamespace(iteration=3, config=SimpleNamespace(search=bf16))
    assert ladder.agent_name(agent, algorithm_named=True) == "agent-3@8-bf16-puct"
