"""The training losses, as pure functions of model outputs and a batch.

- Decoder next-token cross-entropy with softmax tempering: logits / T (AlphaCode: T = 0.2).
- GOLD (Pang & He 2021, as AlphaCode uses it): each token's loss weighted by
  stop_gradient(max(p^alpha, beta)), p the tempered probability of the target token, so the model
  concentrates on solutions it already finds likely; switched on from a given step.
- Encoder masked-LM cross-entropy at the masked positions.
- Value prediction: binary cross-entropy of "this solution is correct", on rows whose label is known.
"""

from __future__ import annotations

from typing import Mapping

import jax
import jax.numpy as jnp
import optax

from solver.model.config import TrainConfig


def target_log_probs(logits: jax.Array, targets: jax.Array, temperature: float = 1.0) -> jax.Array:
    """log p(target) under softmax(logits / temperature); [..., V] and [...] -> [...].

    Written out rather than optax.softmax_cross_entropy_with_integer_labels: that picks the target
    logit with a gather, whose gradient XLA's CPU backend runs as a slow scatter over [B, T, V];
    a one-hot product's gradient is a comparison fused into the softmax's."""
    scaled = logits.astype(jnp.float32) / temperature
    picked = jnp.sum(scaled * jax.nn.one_hot(targets, scaled.shape[-1], dtype=scaled.dtype), axis=-1)
    return picked - jax.nn.logsumexp(scaled, axis=-1)


def gold_weights(target_logp: jax.Array, alpha: float, beta: float) -> jax.Array:
    """GOLD's per-token weight max(p^alpha, beta); no gradient flows through it."""
    return jax.lax.stop_gradient(jnp.maximum(jnp.exp(alpha * target_logp), beta))


def _masked_mean(values: jax.Array, mask: jax.Array) -> jax.Array:
    mask = mask.astype(jnp.float32)
    return (values * mask).sum() / jnp.maximum(mask.sum(), 1.0)


def token_loss(
    logits: jax.Array,
    targets: jax.Array,
    mask: jax.Array,
    *,
    temperature: float,
    gold: jax.Array | bool = False,
    alpha: float = 0.5,
    beta: float = 0.05,
) -> tuple[jax.Array, jax.Array]:
    """Mean tempered next-token loss over mask, GOLD-weighted where `gold` (traced, so switching
    it on does not recompile). Returns (loss, the plain tempered cross-entropy for logging)."""
    logp = target_log_probs(logits, targets, temperature)
    weights = jnp.where(gold, gold_weights(logp, alpha, beta), 1.0)
    return _masked_mean(-weights * logp, mask), _masked_mean(-logp, mask)


def mlm_positions(mlm_mask: jax.Array, count: int) -> tuple[jax.Array, jax.Array]:
    """The first `count` masked positions of each row: (positions [B, count], valid [B, count]).
    Gathering them keeps the masked-LM head off the ~85% of positions that are not scored."""
    positions = jax.vmap(lambda row: jnp.nonzero(row, size=count, fill_value=0)[0])(mlm_mask)
    valid = jnp.arange(count)[None, :] < mlm_mask.sum(axis=1, keepdims=True)
    return positions.astype(jnp.int32), valid


def masked_lm_loss(logits: jax.Array, targets: jax.Array, valid: jax.Array) -> jax.Array:
    return _masked_mean(-target_log_probs(logits, targets), valid)


def value_loss(value_logit: jax.Array, correct: jax.Array) -> jax.Array:
    """Binary cross-entropy on rows with correct >= 0 (1 correct, 0 incorrect, -1 unknown)."""
    known = correct >= 0
    bce = optax.sigmoid_binary_cross_entropy(value_logit, (correct > 0).astype(jnp.float32))
    return _masked_mean(bce, known)


def total_loss(
    outputs,
    batch: Mapping[str, jax.Array],
    mlm_valid: jax.Array | None,
    mlm_targets: jax.Array | None,
    config: TrainConfig,
    step: jax.Array,
) -> tuple[jax.Array, dict[str, jax.Array]]:
    """Weighted sum of the losses for one batch; `outputs` is solver.model.transformer.Outputs."""
    gold = False if config.gold_start_step is None else step >= config.gold_start_step
    tok, tempered_ce = token_loss(
        outputs.logits, batch["dec_targets"], batch["dec_loss_mask"], temperature=config.tempering,
        gold=gold, alpha=config.gold_alpha, beta=config.gold_beta,
    )
    val = value_loss(outputs.value_logit, batch["correct"])
    loss = config.token_weight * tok + config.value_weight * val
    metrics = {"token_loss": tok, "tempered_ce": tempered_ce, "value_loss": val}
    if outputs.mlm_logits is not None:
        mlm = masked_lm_loss(outputs.mlm_logits, mlm_targets, mlm_valid)
        loss = loss + config.mlm_weight * mlm
        metrics["mlm_loss"] = mlm
    metrics["loss"] = loss
    return loss, metrics
