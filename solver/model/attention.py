"""Multi-query / grouped-query attention, written by hand.

Queries are shaped [B, T, K, G, H] (K key/value heads, G query heads per K/V head, head size H) and
attend to K/V heads without ever repeating K/V per query head: for each of the R = B*K (row,
K/V head) pairs, the G*T queries form one [G*T, H] matrix against that pair's keys [H, S] and
values [S, H]. K = 1 is AlphaCode's multi-query attention; K = number of heads is multi-head.

Everything is a 3-D batched matmul ("rmh,rhs->rms", "rms,rsh->rmh") over flattened (row, K/V
head) pairs, in the layouts XLA's CPU backend multiplies as they are. Measured here: 5-D einsums
over [B, S, K, H] or [B, K, H, S] operands made XLA insert transposed copies of every attention
matrix in training, and of the whole KV cache at every decoding step (a 4-D buffer that a while
loop updates and reads through a reshape is copied several times per step), which made cached
sampling several times slower.

K/V come in two forms (KV):
- per row: keys [B*K, H, S], values [B*K, S, H] (training; the sampler's self-attention cache);
- shared: keys [K, H, S], values [K, S, H], one problem's statement for every row of a batch
  (the sampler's cross-attention), which folds the whole batch into one matmul per K/V head.

On accelerators (ModelConfig.attention "xla" or "cudnn") attention goes through
jax.nn.dot_product_attention instead, whose fused kernels want K/V as [B, S, K, H] (shared:
[S, K, H], the batch folded into the query length the same way); KV.layout says which layout a
KV is in, and the cache is kept in it.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from flax import nnx, struct

from solver.model.config import ModelConfig

_init = nnx.initializers.variance_scaling


@struct.dataclass
class KV:
    keys: jax.Array  # "rows": [B*K, H, S], or [K, H, S] when shared; "bskh": [B, S, K, H], or [S, K, H]
    values: jax.Array  # "rows": [B*K, S, H], or [K, S, H] when shared; "bskh": as keys
    shared: bool = struct.field(pytree_node=False, default=False)
    layout: str = struct.field(pytree_node=False, default="rows")

    @property
    def length(self) -> int:
        """S: key positions."""
        return self.keys.shape[-1] if self.layout == "rows" else self.keys.shape[-3]

    def grow(self, length: int) -> KV:
        """This cache with zero positions appended up to LENGTH (per-row caches only)."""
        k_axis, v_axis = (2, 1) if self.layout == "rows" else (1, 1)
        pad = lambda x, axis: jnp.pad(x, [(0, length - x.shape[axis]) if a == axis else (0, 0) for a in range(x.ndim)])
        return KV(pad(self.keys, k_axis), pad(self.values, v_axis), layout=self.layout)

    def write(self, new: KV, slot: jax.Array | int) -> KV:
        """This cache with NEW's positions written from SLOT on."""
        k_at, v_at = ((0, 0, slot), (0, slot, 0)) if self.layout == "rows" else ((0, slot, 0, 0),) * 2
        return KV(jax.lax.dynamic_update_slice(self.keys, new.keys.astype(self.keys.dtype), k_at),
                  jax.lax.dynamic_update_slice(self.values, new.values.astype(self.values.dtype), v_at),
                  layout=self.layout)


def dense(x: jax.Array, w: jax.Array, out_dims: int = 1, **kw) -> jax.Array:
    """x [..., IN...] @ w [IN..., OUT...] (OUT: w's last OUT_DIMS axes) as one 2-D matmul. Measured
    on XLA's CPU backend: with x [B, T, D] the weight gradient contracts two axes, for which XLA
    writes transposed copies of the activations and their gradients (about a sixth of a training
    step); flattened to [B*T, D], it multiplies them as they are."""
    out = w.shape[w.ndim - out_dims:]
    lead = x.shape[: x.ndim - (w.ndim - out_dims)]
    y = jnp.dot(x.reshape(math.prod(lead), -1), w.reshape(-1, math.prod(out)), **kw)
    return y.reshape(*lead, *out)


class Attention(nnx.Module):
    def __init__(self, config: ModelConfig, *, key: jax.Array):
        d, n, k, h = config.d_model, config.num_heads, config.num_kv_heads, config.head_dim
        self.num_kv_heads, self.groups, self.head_dim = k, config.groups, h
        self.dtype = jnp.dtype(config.dtype)
        self.implementation = config.attention
        fan_in = _init(1.0, "fan_in", "truncated_normal", in_axis=0, out_axis=(1, 2))
        kq, kk, kv, ko = jax.random.split(key, 4)
        self.q = nnx.Param(fan_in(kq, (d, n, h)))
        self.k = nnx.Param(fan_in(kk, (d, k, h)))
        self.v = nnx.Param(fan_in(kv, (d, k, h)))
        self.o = nnx.Param(_init(1.0, "fan_in", "truncated_normal", in_axis=(0, 1), out_axis=2)(ko, (n, h, d)))

    def queries(self, x: jax.Array) -> jax.Array:
        """[B, T, D] -> [B, T, K, G, H], scaled by 1/sqrt(H)."""
        q = dense(x, self.q[...].astype(self.dtype), 2)
        b, t = x.shape[:2]
        return q.reshape(b, t, self.num_kv_heads, self.groups, self.head_dim) * (self.head_dim**-0.5)

    def keys_values(self, x: jax.Array) -> KV:
        """[B, S, D] -> per-row KV; one statement [S, D] -> shared KV."""
        if self.implementation != "einsum":
            k = dense(x, self.k[...].astype(self.dtype), 2)
            v = dense(x, self.v[...].astype(self.dtype), 2)
            return KV(k, v, shared=x.ndim == 2, layout="bskh")
        k = jnp.einsum("...sd,dkh->...khs", x, self.k[...].astype(self.dtype))
        v = jnp.einsum("...sd,dkh->...ksh", x, self.v[...].astype(self.dtype))
        if x.ndim == 2:
            return KV(k, v, shared=True)
        b, s = x.shape[:2]
        return KV(k.reshape(b * self.num_kv_heads, self.head_dim, s), v.reshape(b * self.num_kv_heads, s, self.head_dim))

    def fused_qkv(self) -> jax.Array:
        """[D, (N + 2K) * H]: the query (scaled), key and value projections side by side, so that a
        decoding step projects with one matmul instead of three (the sampler makes it once, before
        its decode loop: inside, XLA would concatenate the weights again at every step)."""
        d = self.q.shape[0]
        q = self.q[...].astype(self.dtype).reshape(d, -1) * (self.head_dim**-0.5)
        return jnp.concatenate([q, self.k[...].astype(self.dtype).reshape(d, -1),
                                self.v[...].astype(self.dtype).reshape(d, -1)], axis=1)

    def queries_keys_values(self, x: jax.Array, qkv: jax.Array) -> tuple[jax.Array, KV]:
        """queries(x) and keys_values(x) for x [B, T, D], through fused_qkv()'s QKV."""
        b, t = x.shape[:2]
        k, g, h = self.num_kv_heads, self.groups, self.head_dim
        y = dense(x, qkv)
        q = y[..., : k * g * h].reshape(b, t, k, g, h)
        keys = y[..., k * g * h: (k * g + k) * h].reshape(b, t, k, h)
        values = y[..., (k * g + k) * h:].reshape(b, t, k, h)
        if self.implementation != "einsum":
            return q, KV(keys, values, layout="bskh")
        return q, KV(keys.transpose(0, 2, 3, 1).reshape(b * k, h, t), values.transpose(0, 2, 1, 3).reshape(b * k, t, h))

    def attend(self, q: jax.Array, kv: KV, mask: jax.Array) -> jax.Array:
        """q [B,T,K,G,H] against KV; mask broadcastable to [B,1,T,1,S] (True = may attend).
        Returns [B, T, D]."""
        if kv.layout == "bskh":
            return self._attend_fused(q, kv, mask)
        b, t, k, g, h = q.shape
        s = kv.keys.shape[-1]
        if kv.shared:  # pairs are K/V heads; the whole batch's queries in each
            q3 = q.transpose(2, 0, 1, 3, 4).reshape(k, b * t * g, h)
            grid, mask = (k, b, t, g), jnp.swapaxes(mask, 0, 1)
        else:  # pairs are (row, K/V head)
            q3 = q.transpose(0, 2, 1, 3, 4).reshape(b * k, t * g, h)
            grid = (b, k, t, g)
        logits = jnp.einsum("rmh,rhs->rms", q3, kv.keys).reshape(*grid, s)
        logits = jnp.where(mask, logits.astype(jnp.float32), jnp.finfo(jnp.float32).min)
        weights = jax.nn.softmax(logits, axis=-1).astype(self.dtype).reshape(q3.shape[0], -1, s)
        out = jnp.einsum("rms,rsh->rmh", weights, kv.values).reshape(*grid, h)
        out = out.transpose(1, 2, 0, 3, 4) if kv.shared else out.transpose(0, 2, 1, 3, 4)
        return dense(out.reshape(b, t, k * g, h), self.o[...].astype(self.dtype))

    def _attend_fused(self, q: jax.Array, kv: KV, mask: jax.Array) -> jax.Array:
        """attend() through jax.nn.dot_product_attention (query head n = K/V head n // G, as here).
        Queries are already scaled. Fully masked rows (left padding) get a uniform average there,
        as in attend(): never read."""
        b, t, k, g, h = q.shape
        s = kv.length
        query, keys, values = q.reshape(b, t, k * g, h), kv.keys, kv.values
        m = mask[:, 0, :, 0, :]  # [B or 1, T or 1, S]
        if kv.shared:  # one statement for every row: the batch folded into the query length
            query, keys, values = query.reshape(1, b * t, k * g, h), keys[None], values[None]
            m = jnp.broadcast_to(m, (b, t, s)).reshape(1, b * t, s)
        out = jax.nn.dot_product_attention(query, keys, values, mask=m[:, None], scale=1.0,
                                           implementation=None if self.implementation == "xla" else "cudnn")
        return dense(out.reshape(b, t, k * g, h), self.o[...].astype(self.dtype))


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
