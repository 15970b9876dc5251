"""The expression-writing policy of E6 (alphazero/lm/text_policy.py): sequences, log-probabilities
against step-by-step decoding, the supervised and REINFORCE updates, the instance generator."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from alphazero.lm import llama
from alphazero.lm import text_policy as tp
from games import countdown, countdown_solver
from games.countdown_verify import verify

CONFIG = tp.policy_config(dim=16, num_layers=1, num_heads=2)
INSTANCES = [((8, 5, 3, 1), 24), ((13, 13, 2, 1), 12)]


@pytest.fixture(scope="module")
def learn():
    return tp.learner(CONFIG, learning_rate=1e-2)


def test_answers_round_trip_and_stop_at_eos():
    ids = tp.encode_answer("(8-5)*(3+1)")
    assert ids[-1] == tp.EOS and tp.decode_answer(ids + [tp.TOKEN["7"]]) == "(8-5)*(3+1)"
    assert tp.decode_answer([tp.TOKEN["2"], tp.BOS, tp.EOS]) == "2?"
    assert len(tp.encode_answer("1+" * 40)) == tp.ANSWER_LEN


def test_batch_layout():
    b = tp.batch(INSTANCES, ["(8-5)*(3+1)", "13-1"])
    tokens, valid, mask = (np.asarray(x) for x in b)
    prompt = tp.prompt_tokens(*INSTANCES[0])
    assert tokens[0, tp.PROMPT_LEN - len(prompt) : tp.PROMPT_LEN].tolist() == prompt
    assert not valid[0, : tp.PROMPT_LEN - len(prompt)].any() and valid[0, -1]
    assert mask[1].sum() == len("13-1") + 1  # the answer and its first <eos>, nothing else
    assert tokens[1, tp.PROMPT_LEN + 4] == tp.EOS and not mask[:, : tp.PROMPT_LEN].any()


@pytest.mark.slow
def test_log_probs_match_step_by_step_decoding():
    params = llama.init(CONFIG, jax.random.PRNGKey(1), num_outputs=CONFIG.vocab_size)
    b = tp.batch(INSTANCES, ["(8-5)*(3+1)", "13-1"])
    fast = tp.sequence_log_probs(CONFIG, params, b)

    @jax.jit  # one compile per prefix length (eagerly, every small op compiles per length)
    def next_token_log_probs(params, prefix):
        """Log-probabilities of the token after `prefix` [1, T], decoded from an empty cache."""
        t = prefix.shape[1]
        cache = llama.empty_cache(CONFIG, 1, t)
        logits, _ = llama.forward(params, CONFIG, prefix, jnp.arange(t)[None], cache, 0,
                                  jnp.ones((1, t), bool), last_only=True)  # fmt: skip
        return jax.nn.log_softmax(logits[0, -1])

    for row, (instance, answer) in enumerate(zip(INSTANCES, ["(8-5)*(3+1)", "13-1"], strict=True)):
        ids = tp.prompt_tokens(*instance) + tp.encode_answer(answer)
        total = 0.0
        for i in range(len(tp.prompt_tokens(*instance)), len(ids)):  # unpadded prefixes
            prefix = np.asarray([ids[:i]], np.int32)
            total += float(np.asarray(next_token_log_probs(params, prefix))[ids[i]])
        np.testing.assert_allclose(float(fast[row]), total, rtol=1e-4)


def test_supervised_loss_falls_on_a_fixed_batch(learn):
    state = learn.init(llama.init(CONFIG, jax.random.PRNGKey(0)))
    b = tp.batch(INSTANCES, ["(8-5)*(3+1)", "13-1"])
    state, first = learn.supervised(state, b)
    for _ in range(30):
        state, loss = learn.supervised(state, b)
    assert float(loss) < 0.5 * float(first)


def test_reinforce_moves_probability_to_the_rewarded_sample(learn):
    params = llama.init(CONFIG, jax.random.PRNGKey(2))
    state = learn.init(params)
    answers = np.full((1, 2, tp.ANSWER_LEN), tp.EOS)
    answers[0, 0, :2] = [tp.TOKEN["2"], tp.TOKEN["4"]]
    answers[0, 1, :2] = [tp.TOKEN["4"], tp.TOKEN["2"]]
    b = tp.batch_of(INSTANCES[:1], answers)
    before = tp.sequence_log_probs(CONFIG, params, b)
    rewards = jnp.array([[1.0, 0.0]])
    new, stats = learn.reinforce(state, params, b, rewards, 0.0)
    after = tp.sequence_log_probs(CONFIG, new.params, b)
    assert float(after[0] - before[0]) > 0 > float(after[1] - before[1])
    assert abs(float(stats["kl"])) < 1e-6  # the policy is its own reference at the first step
    same, _ = learn.reinforce(state, params, b, jnp.array([[1.0, 1.0]]), 0.0)
    assert jax.tree.all(jax.tree.map(jnp.array_equal, same.params, params))  # no advantage


def test_sampled_answers_are_scored_from_their_own_tokens():
    params = llama.init(CONFIG, jax.random.PRNGKey(3))
    tokens = tp.sample(CONFIG, params, INSTANCES, 3, jax.random.PRNGKey(4))
    assert tokens.shape == (2, 3, tp.ANSWER_LEN)
    b = tp.batch_of(INSTANCES, tokens)
    ends = np.asarray(b.answer_mask).sum(1)  # each row scores its tokens up to its first <eos>
    first_eos = [(list(t) + [tp.EOS]).index(tp.EOS) + 1 for t in tokens.reshape(6, -1)]
    assert ends.tolist() == [min(e, tp.ANSWER_LEN) for e in first_eos]


def test_instances_are_solvable_held_out_and_have_duplicates():
    rng = np.random.default_rng(0)
    test = tp.sample_instances(rng, 60, "test")
    train = tp.sample_instances(rng, 60, "train")
    assert len(set(test)) == 60 and not set(test) & set(train)
    for numbers, target in test + train:
        assert countdown_solver.solvable(numbers, target) and 10 <= target <= 100
        assert target not in numbers
    padded = np.array([list(n) + [-1, -1] for n, _ in test])
    assert (countdown.split_of(padded, np.array([t for _, t in test])) == 0).all()
    assert any(len(set(n)) < 4 for n, _ in train)
    answers = tp.solver_answers(test[:10], rng, per_instance=3)
    assert all(
        verify(a, n, t).correct for (n, t), aa in zip(test[:10], answers, strict=True) for a in aa
    )
