"""Multi-query / grouped-query attention, written by hand.

Queries are shaped [B, T, K, G, H] (K key/value heads, G query heads per K/V head, head size H) and
attend to K/V heads with one einsum each, so K/V are never repeated per query head. K = 1 is
AlphaCode's multi-query attention; K = number of heads is standard multi-head attention.

Layouts are chosen so that every product is a plain matrix product on XLA's CPU backend, with
no operand or result transposed on the way (measured: the obvious [B, S, K, H] keys and
[B, K, G, T, S] weights cost a transposed copy of every attention matrix in training, and of the
whole KV cache at every decoding step, which made cached sampling 5-10x slower):
- keys and values both [B, K, H, S] (the KV cache too): for K = 1, logits = q [B, T*G, H] @
  keys [B, H, S] and out = weights [B, T*G, S] @ values[B, H, S]^T, the forms the CPU backend's
  matmul takes as they are (values as [B, K, S, H] cost a copy of the cache at every step);
- weights [B, K, T, G, S].
Cross-attention K/V may also be given without a batch axis ([K, H, S]): one problem's statement
shared by every sample of a batch, which then folds the whole batch into one matmul.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from solver.config import ModelConfig

_init = nnx.initializers.variance_scaling


class Attention(nnx.Module):
    def __init__(self, config: ModelConfig, *, key: jax.Array):
        d, n, k, h = config.d_model, config.num_heads, config.num_kv_heads, config.head_dim
        self.num_kv_heads, self.groups, self.head_dim = k, config.groups, h
        self.dtype = jnp.dtype(config.dtype)
        fan_in = _init(1.0, "fan_in", "truncated_normal", in_axis=0, out_axis=(1, 2))
        kq, kk, kv, ko = jax.random.split(key, 4)
        self.q = nnx.Param(fan_in(kq, (d, n, h)))
        self.k = nnx.Param(fan_in(kk, (d, k, h)))
        self.v = nnx.Param(fan_in(kv, (d, k, h)))
        self.o = nnx.Param(_init(1.0, "fan_in", "truncated_normal", in_axis=(0, 1), out_axis=2)(ko, (n, h, d)))

    def queries(self, x: jax.Array) -> jax.Array:
        """[B, T, D] -> [B, T, K, G, H], scaled by 1/sqrt(H)."""
        q = jnp.einsum("btd,dnh->btnh", x, self.q[...].astype(self.dtype))
        b, t = x.shape[:2]
        return q.reshape(b, t, self.num_kv_heads, self.groups, self.head_dim) * (self.head_dim**-0.5)

    def keys_values(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        """[..., S, D] -> keys and values [..., K, H, S]."""
        k = jnp.einsum("...sd,dkh->...khs", x, self.k[...].astype(self.dtype))
        v = jnp.einsum("...sd,dkh->...khs", x, self.v[...].astype(self.dtype))
        return k, v

    def attend(self, q: jax.Array, k: jax.Array, v: jax.Array, mask: jax.Array) -> jax.Array:
        """q [B,T,K,G,H]; keys and values [B,K,H,S], or shared [K,H,S]; mask broadcastable to
        [B,1,T,1,S] (True = may attend). Returns [B, T, D]."""
        shared = k.ndim == 3
        logits = jnp.einsum("btkgh,khs->bktgs" if shared else "btkgh,bkhs->bktgs", q, k)
        logits = jnp.where(mask, logits.astype(jnp.float32), jnp.finfo(jnp.float32).min)
        weights = jax.nn.softmax(logits, axis=-1).astype(self.dtype)
        out = jnp.einsum("bktgs,khs->btkgh" if shared else "bktgs,bkhs->btkgh", weights, v)
        b, t = q.shape[:2]
        out = out.reshape(b, t, self.num_kv_heads * self.groups, self.head_dim)
        return jnp.einsum("btnh,nhd->btd", out, self.o[...].astype(self.dtype))


def mask_for(query_valid: jax.Array | None, key_valid: jax.Array) -> jax.Array:
    """[B,T] and [B,S] validity -> a mask broadcastable to [B,1,T,1,S]."""
    m = key_valid[:, None, :]
    if query_valid is not None:
        m = m & query_valid[:, :, None]
    return m[:, None, :, None, :]


def causal_mask(query_slots: jax.Array, key_slots: jax.Array, key_start: jax.Array) -> jax.Array:
    """Self-attention mask from cache slots: query at slot i may see key slot j when
    key_start <= j <= i. query_slots [B,T] or [T]; key_slots [S]; key_start [B] (left padding)."""
    if query_slots.ndim == 1:
        query_slots = query_slots[None]
    j = key_slots[None, None, :]
    m = (j <= query_slots[:, :, None]) & (j >= key_start[:, None, None])
    return m[:, None, :, None, :]
