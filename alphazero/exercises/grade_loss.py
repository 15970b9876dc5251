"""Grader of exercise 3: the AlphaZero loss (exercises/ex3_loss.py)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from alphazero import exercises, losses
from alphazero.types import Samples


@pytest.fixture(scope="module")
def impl():
    return exercises.submission()


def _floats(*xs):
    return [float(x) for x in xs]


def test_known_answer(impl):
    logits = jnp.zeros((2, 4))  # uniform policy: cross-entropy to a one-hot target is log 4
    pi = jnp.array([[1.0, 0, 0, 0], [0, 0, 0.5, 0.5]])
    value = jnp.array([0.5, 0.0])
    z = jnp.array([-0.5, 1.0])
    mask = jnp.array([1.0, 0.0])  # the second position has no outcome: its error must not count
    total, policy, value_loss = _floats(*impl.alphazero_loss(logits, value, pi, z, mask, 2.0))
    assert policy == pytest.approx(np.log(4), rel=1e-5), "policy loss: -sum pi log softmax"
    assert value_loss == pytest.approx(1.0, rel=1e-5), "value loss: masked mean of (z - v)^2"
    assert total == pytest.approx(np.log(4) + 2.0, rel=1e-5), "total = policy + weight * value"


def test_no_outcome_in_batch_gives_zero_value_loss(impl):
    out = impl.alphazero_loss(
        jnp.zeros((3, 2)), jnp.zeros(3), jnp.full((3, 2), 0.5), jnp.ones(3), jnp.zeros(3)
    )
    assert np.isfinite(float(out[2])) and float(out[2]) == 0.0, "all masks 0: value loss 0, no NaN"


def test_large_logits_stay_finite(impl):
    logits = jnp.array([[1000.0, -1000.0, 0.0]])
    out = impl.alphazero_loss(
        logits, jnp.zeros(1), jnp.array([[0.0, 0.0, 1.0]]), jnp.zeros(1), jnp.ones(1)
    )
    assert float(out[1]) == pytest.approx(1000.0, rel=1e-5), "use a stable log softmax"


def test_matches_the_library_and_its_gradient(impl):
    key_logits, key_pi, key_v, key_z, key_m = jax.random.split(jax.random.PRNGKey(0), 5)
    logits = 3 * jax.random.normal(key_logits, (16, 7))
    pi = jax.random.dirichlet(key_pi, jnp.ones(7), (16,))
    value = jnp.tanh(jax.random.normal(key_v, (16,)))
    z = jax.random.choice(key_z, jnp.array([-1.0, 0.0, 1.0]), (16,))
    mask = jax.random.bernoulli(key_m, 0.7, (16,)).astype(jnp.float32)

    def library(logits, value):
        batch = Samples(jnp.zeros((16, 1)), pi, z, mask)
        return losses.loss_from_outputs(logits, value, batch, 0.5)[0]

    def student(logits, value):
        return impl.alphazero_loss(logits, value, pi, z, mask, 0.5)[0]

    assert float(student(logits, value)) == pytest.approx(float(library(logits, value)), rel=1e-5)
    grads = jax.grad(student, argnums=(0, 1))(logits, value)
    expected = jax.grad(library, argnums=(0, 1))(logits, value)
    for got, want, name in zip(grads, expected, ("logits", "value"), strict=True):
        np.testing.assert_allclose(
            got, want, rtol=1e-4, atol=1e-6, err_msg=f"gradient with respect to {name}"
        )
