"""The training losses: tempering, GOLD, masked-LM gathering, value prediction."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from solver.model.config import TrainConfig
from solver.model.losses import (gold_weights, masked_lm_loss, mlm_positions, target_log_probs, token_loss, total_loss,
                           value_loss)
from solver.model.transformer import Outputs

RNG = np.random.default_rng(0)
LOGITS = jnp.asarray(RNG.normal(0, 3, (2, 6, 11)), jnp.float32)
TARGETS = jnp.asarray(RNG.integers(0, 11, (2, 6)), jnp.int32)
MASK = jnp.asarray([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1]], bool)


def _log_softmax(x):
    x = np.asarray(x, np.float64)
    return x - x.max(-1, keepdims=True) - np.log(np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True))


def test_tempering_divides_the_logits_before_the_softmax():
    loss, plain = jax.jit(lambda z: token_loss(z, TARGETS, MASK, temperature=0.2))(LOGITS)
    logp = np.take_along_axis(_log_softmax(np.asarray(LOGITS) / 0.2), np.asarray(TARGETS)[..., None], -1)[..., 0]
    want = -(logp * np.asarray(MASK)).sum() / np.asarray(MASK).sum()
    assert float(loss) == pytest.approx(want, rel=1e-5)
    assert float(plain) == pytest.approx(want, rel=1e-5)  # no GOLD: the loss is the plain tempered CE


def test_gold_weight_respects_its_floor_and_follows_p_to_the_alpha():
    logp = target_log_probs(LOGITS, TARGETS, 0.2)
    w = np.asarray(gold_weights(logp, 0.5, 0.05))
    p = np.exp(np.asarray(logp, np.float64))
    assert (w >= 0.05 - 1e-7).all()
    np.testing.assert_allclose(w, np.maximum(np.sqrt(p), 0.05), rtol=1e-5)
    assert (w == np.float32(0.05)).any() and (w > 0.05).any()  # both branches are exercised


def test_gold_weight_carries_no_gradient():
    grad = jax.jit(jax.grad(lambda z: gold_weights(target_log_probs(z, TARGETS, 0.2), 0.5, 0.05).sum()))(LOGITS)
    assert not np.asarray(grad).any()
    # ...so GOLD's gradient is the weighted sum of each token's own cross-entropy gradient.
    gold = jax.jit(jax.grad(lambda z: token_loss(z, TARGETS, MASK, temperature=0.2, gold=True)[0]))(LOGITS)
    w = gold_weights(target_log_probs(LOGITS, TARGETS, 0.2), 0.5, 0.05)
    manual = jax.jit(jax.grad(lambda z: -(w * target_log_probs(z, TARGETS, 0.2) * MASK).sum() / MASK.sum()))(LOGITS)
    np.testing.assert_allclose(gold, manual, rtol=1e-5, atol=1e-7)
    plain = jax.jit(jax.grad(lambda z: token_loss(z, TARGETS, MASK, temperature=0.2)[0]))(LOGITS)
    assert not np.allclose(gold, plain)


def test_gold_switches_on_at_its_step_without_a_new_shape():
    config = TrainConfig(gold_start_step=10, mlm_weight=0.0, value_weight=0.0)
    outputs = Outputs(LOGITS, jnp.zeros(2), None)
    batch = {"dec_targets": TARGETS, "dec_loss_mask": MASK, "correct": jnp.array([-1, -1])}
    loss = jax.jit(lambda step: total_loss(outputs, batch, None, None, config, step)[0])
    before, after = float(loss(jnp.int32(9))), float(loss(jnp.int32(10)))
    plain = float(token_loss(LOGITS, TARGETS, MASK, temperature=0.2)[0])
    gold = float(token_loss(LOGITS, TARGETS, MASK, temperature=0.2, gold=True)[0])
    assert before == pytest.approx(plain) and after == pytest.approx(gold) and gold < plain


def test_value_loss_uses_only_rows_with_a_known_label():
    logit = jnp.array([2.0, -1.0, 5.0])
    got = float(value_loss(logit, jnp.array([1, 0, -1])))
    want = (np.log1p(np.exp(-2.0)) + np.log1p(np.exp(-1.0))) / 2  # BCE of "correct" and "incorrect"
    assert got == pytest.approx(want, rel=1e-5)
    assert float(value_loss(logit, jnp.array([-1, -1, -1]))) == 0.0


def test_mlm_positions_gather_every_masked_position_in_order():
    mask = jnp.array([[0, 1, 0, 1, 1, 0], [0, 0, 0, 0, 0, 1]], bool)
    positions, valid = jax.jit(mlm_positions, static_argnums=1)(mask, 4)
    assert np.asarray(positions)[0, :3].tolist() == [1, 3, 4] and np.asarray(valid)[0].tolist() == [1, 1, 1, 0]
    assert np.asarray(positions)[1, 0] == 5 and np.asarray(valid)[1].tolist() == [1, 0, 0, 0]
    logits = jnp.asarray(RNG.normal(size=(2, 4, 11)), jnp.float32)
    targets = jnp.asarray(RNG.integers(0, 11, (2, 4)), jnp.int32)
    got = float(jax.jit(masked_lm_loss)(logits, targets, valid))
    ce = -np.take_along_axis(_log_softmax(logits), np.asarray(targets)[..., None], -1)[..., 0]
    assert got == pytest.approx(ce[np.asarray(valid)].mean(), rel=1e-5)
