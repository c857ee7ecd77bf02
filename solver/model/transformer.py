"""AlphaCode's encoder-decoder transformer in flax.nnx, with an explicit KV cache for sampling.

Pre-norm (RMSNorm) layers, learned absolute positions, GELU feed-forward, multi-query attention
(solver/model/attention.py). Used functionally: callers split the module once and merge it inside a
jitted pure function (solver/model/train.py, solver/model/sampler.py).

Heads: the decoder's next-token logits; an encoder masked-LM head (tied to the token embedding);
a value head over the decoder's last-layer states, correct vs incorrect (training only).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx

from solver.model.attention import KV, Attention, causal_mask, dense, mask_for
from solver.model.config import ModelConfig

_normal = nnx.initializers.normal
# ModelConfig.remat -> what jax.checkpoint may keep from the forward pass (None: only the inputs).
_REMAT_POLICIES = {"full": None, "dots": jax.checkpoint_policies.checkpoint_dots,
                   "dots_no_batch": jax.checkpoint_policies.dots_with_no_batch_dims_saveable}
_fan_in = nnx.initializers.variance_scaling(1.0, "fan_in", "truncated_normal")


# Modules take a PRNG key, not nnx.Rngs: drawing from Rngs costs ~10 ms per parameter under
# nnx.eval_shape, which made counting the 41B preset's parameters take 11 s instead of ~1 s.


class RMSNorm(nnx.Module):
    """Like nnx.RMSNorm, without needing an Rngs (see above)."""

    def __init__(self, config: ModelConfig, eps: float = 1e-6):
        self.scale = nnx.Param(jnp.ones((config.d_model,), jnp.float32))
        self.eps, self.dtype = eps, jnp.dtype(config.dtype)

    def __call__(self, x: jax.Array) -> jax.Array:
        x32 = x.astype(jnp.float32)
        y = x32 * jax.lax.rsqrt(jnp.mean(x32 * x32, axis=-1, keepdims=True) + self.eps)
        return (y * self.scale[...]).astype(self.dtype)


class FeedForward(nnx.Module):
    def __init__(self, config: ModelConfig, *, key: jax.Array):
        ki, ko = jax.random.split(key)
        self.wi = nnx.Param(_fan_in(ki, (config.d_model, config.ffn_dim)))
        self.wo = nnx.Param(_fan_in(ko, (config.ffn_dim, config.d_model)))
        self.dtype = jnp.dtype(config.dtype)

    def __call__(self, x: jax.Array) -> jax.Array:
        h = jax.nn.gelu(dense(x, self.wi[...].astype(self.dtype)))
        return dense(h, self.wo[...].astype(self.dtype))


class EncoderLayer(nnx.Module):
    def __init__(self, config: ModelConfig, *, key: jax.Array):
        ka, kf = jax.random.split(key)
        self.attn_norm = RMSNorm(config)
        self.attn = Attention(config, key=ka)
        self.ffn_norm = RMSNorm(config)
        self.ffn = FeedForward(config, key=kf)

    def __call__(self, x: jax.Array, mask: jax.Array) -> jax.Array:
        h = self.attn_norm(x)
        x = x + self.attn.attend(self.attn.queries(h), self.attn.keys_values(h), mask)
        return x + self.ffn(self.ffn_norm(x))


class DecoderLayer(nnx.Module):
    def __init__(self, config: ModelConfig, *, key: jax.Array):
        ks, kc, kf = jax.random.split(key, 3)
        self.self_norm = RMSNorm(config)
        self.self_attn = Attention(config, key=ks)
        self.cross_norm = RMSNorm(config)
        self.cross_attn = Attention(config, key=kc)
        self.ffn_norm = RMSNorm(config)
        self.ffn = FeedForward(config, key=kf)

    def __call__(
        self,
        x: jax.Array,
        self_mask: jax.Array,
        cross: KV,
        cross_mask: jax.Array,
        cache: KV | None = None,
        slot: jax.Array | int = 0,
        qkv: jax.Array | None = None,
    ) -> tuple[jax.Array, KV]:
        """Without a cache, x is the whole sequence; with one (per-row KV of length L), x's keys
        and values are written into it at `slot` and x attends to the cache. QKV: the
        self-attention's fused_qkv(), made once by a caller that decodes step by step. Returns
        (x, the layer's keys/values: the updated cache)."""
        h = self.self_norm(x)
        if qkv is None:
            kv = self.self_attn.keys_values(h)
            q = self.self_attn.queries(h)
        else:
            q, kv = self.self_attn.queries_keys_values(h, qkv)
        if cache is not None:
            kv = cache.write(kv, slot)
        x = x + self.self_attn.attend(q, kv, self_mask)
        x = x + self.cross_attn.attend(self.cross_attn.queries(self.cross_norm(x)), cross, cross_mask)
        return x + self.ffn(self.ffn_norm(x)), kv


class ValueHead(nnx.Module):
    """Mean of the decoder's last-layer states over the code tokens -> logit of "correct"."""

    def __init__(self, config: ModelConfig, *, rngs: nnx.Rngs):
        self.hidden = nnx.Linear(config.d_model, config.value_hidden, rngs=rngs)
        self.out = nnx.Linear(config.value_hidden, 1, rngs=rngs)

    def __call__(self, states: jax.Array, mask: jax.Array) -> jax.Array:
        m = mask.astype(jnp.float32)[..., None]
        pooled = (states.astype(jnp.float32) * m).sum(1) / jnp.maximum(m.sum(1), 1.0)
        return self.out(jax.nn.gelu(self.hidden(pooled)))[:, 0]


class Outputs(NamedTuple):
    logits: jax.Array  # [B, T, V] decoder next-token logits (float32)
    value_logit: jax.Array  # [B]
    mlm_logits: jax.Array | None  # [B, M, V] at the gathered encoder positions, or None


class Transformer(nnx.Module):
    def __init__(self, config: ModelConfig, *, key: jax.Array):
        self.config = config
        d = config.d_model
        k_embed, k_enc, k_dec, k_pos_e, k_pos_d, k_head, k_value = jax.random.split(key, 7)
        self.embed = nnx.Embed(config.vocab_size, d, rngs=nnx.Rngs(params=k_embed))
        self.enc_pos = nnx.Param(_normal(d**-0.5)(k_pos_e, (config.max_encoder_len, d)))
        self.dec_pos = nnx.Param(_normal(d**-0.5)(k_pos_d, (config.max_decoder_len, d)))
        enc_keys = jax.random.split(k_enc, config.encoder_layers)
        dec_keys = jax.random.split(k_dec, config.decoder_layers)
        self.encoder = nnx.List([EncoderLayer(config, key=k) for k in enc_keys])
        self.enc_norm = RMSNorm(config)
        self.decoder = nnx.List([DecoderLayer(config, key=k) for k in dec_keys])
        self.dec_norm = RMSNorm(config)
        if not config.tie_embeddings:
            self.lm_head = nnx.Param(_fan_in(k_head, (d, config.vocab_size)))
        self.value_head = ValueHead(config, rngs=nnx.Rngs(params=k_value))

    @property
    def dtype(self):
        return jnp.dtype(self.config.dtype)

    def _embed(self, tokens: jax.Array, table: nnx.Param, positions: jax.Array | None = None) -> jax.Array:
        """Token + position embeddings; positions [B, T] (clipped to the table), or None for
        0..T-1 (a slice, whose gradient is cheap, where a gather's is a scatter)."""
        if positions is None:
            pos = table[: tokens.shape[1]][None]
        else:
            pos = jnp.take(table[...], positions, axis=0, mode="clip")
        return (self.embed(tokens) + pos).astype(self.dtype)

    def _layer(self, layer: nnx.Module, *args):
        """layer(*args), rematerialised in the backward pass by the config's policy: the layer's
        parameters go in as explicit arguments, so that jax.checkpoint sees everything it saves."""
        if self.config.remat == "none":
            return layer(*args)
        graphdef, state = nnx.split(layer)
        run = jax.checkpoint(lambda state, *args: nnx.merge(graphdef, state)(*args),
                             policy=_REMAT_POLICIES[self.config.remat])
        return run(state, *args)

    # --- encoder -------------------------------------------------------------------------------
    def encode(self, enc_tokens: jax.Array, enc_mask: jax.Array) -> jax.Array:
        """[B, S] tokens and validity -> [B, S, D] encoder states (normalised)."""
        x = self._embed(enc_tokens, self.enc_pos)
        mask = mask_for(None, enc_mask)
        for layer in self.encoder:
            x = self._layer(layer, x, mask)
        return self.enc_norm(x)

    def mlm_logits(self, enc_out: jax.Array, positions: jax.Array) -> jax.Array:
        """Masked-LM logits at `positions` [B, M] of the encoder output, via the tied embedding."""
        h = jnp.take_along_axis(enc_out, positions[..., None], axis=1)
        return self._tied_logits(h)

    def _tied_logits(self, states: jax.Array) -> jax.Array:
        """states @ embedding.T in the compute dtype, summed in float32 (nnx.Embed.attend would
        promote a bfloat16 model's largest matmul to float32)."""
        table = self.embed.embedding[...].astype(self.dtype)
        return dense(states, table.T, preferred_element_type=jnp.float32)

    def cross_kv(self, enc_out: jax.Array) -> tuple[KV, ...]:
        """Every decoder layer's cross-attention keys/values, computed once per statement:
        per row from enc_out [B, S, D]; shared by a whole batch from one statement's [S, D]."""
        return tuple(layer.cross_attn.keys_values(enc_out) for layer in self.decoder)

    # --- decoder -------------------------------------------------------------------------------
    def logits(self, states: jax.Array) -> jax.Array:
        if self.config.tie_embeddings:
            return self._tied_logits(states)
        return dense(states, self.lm_head[...].astype(self.dtype)).astype(jnp.float32)

    def decode_all(
        self,
        tokens: jax.Array,
        positions: jax.Array | None,
        self_mask: jax.Array,
        cross: tuple[KV, ...],
        enc_mask: jax.Array,
    ) -> jax.Array:
        """The whole decoder sequence at once (training; the sampler's recomputation reference).
        positions [B, T], or None for 0..T-1. Returns the last layer's normalised states [B, T, D]."""
        x = self._embed(tokens, self.dec_pos, positions)
        cross_mask = mask_for(None, enc_mask)
        for layer, kv in zip(self.decoder, cross):
            x, _ = self._layer(layer, x, self_mask, kv, cross_mask)
        return self.dec_norm(x)

    def fused_qkv(self) -> tuple[jax.Array, ...]:
        """Every decoder layer's self-attention projections as one matrix (Attention.fused_qkv)."""
        return tuple(layer.self_attn.fused_qkv() for layer in self.decoder)

    def init_cache(self, batch: int, max_len: int) -> tuple[KV, ...]:
        """Every decoder layer's self-attention cache: per-row KV of length max_len, zeros."""
        c = self.config
        if c.attention != "einsum":  # jax.nn.dot_product_attention's layout (solver/model/attention.py)
            shape = (batch, max_len, c.num_kv_heads, c.head_dim)
            return tuple(KV(jnp.zeros(shape, self.dtype), jnp.zeros(shape, self.dtype), layout="bskh")
                         for _ in self.decoder)
        rows = batch * c.num_kv_heads
        return tuple(KV(jnp.zeros((rows, c.head_dim, max_len), self.dtype), jnp.zeros((rows, max_len, c.head_dim), self.dtype))
                     for _ in self.decoder)

    def decode(
        self,
        tokens: jax.Array,
        slot: jax.Array | int,
        cache: tuple[KV, ...],
        cache_start: jax.Array,
        cross: tuple[KV, ...],
        enc_mask: jax.Array,
        qkv: tuple[jax.Array, ...] | None = None,
    ) -> tuple[jax.Array, tuple[KV, ...]]:
        """Decode tokens [B, T] that occupy cache slots slot..slot+T-1, attending to the cache.

        Sequences are left-padded: sample b's first real token is at slot cache_start[b], and its
        positions count from there. QKV: fused_qkv(), made once for a whole decode loop.
        Returns (logits [B, T, V], the updated cache)."""
        b, t = tokens.shape
        slots = slot + jnp.arange(t)
        positions = jnp.maximum(slots[None, :] - cache_start[:, None], 0)
        x = self._embed(tokens, self.dec_pos, positions)
        self_mask = causal_mask(slots, jnp.arange(cache[0].length), cache_start)
        cross_mask = mask_for(None, enc_mask)
        new_cache = []
        for layer, kv, layer_cache, layer_qkv in zip(self.decoder, cross, cache, qkv or (None,) * len(cache)):
            x, written = layer(x, self_mask, kv, cross_mask, cache=layer_cache, slot=slot, qkv=layer_qkv)
            new_cache.append(written)
        return self.logits(self.dec_norm(x)), tuple(new_cache)

    # --- training ------------------------------------------------------------------------------
    def __call__(
        self,
        enc_tokens: jax.Array,
        enc_mask: jax.Array,
        dec_inputs: jax.Array,
        dec_mask: jax.Array,
        value_mask: jax.Array,
        mlm_positions: jax.Array | None = None,
    ) -> Outputs:
        enc_out = self.encode(enc_tokens, enc_mask)
        t = dec_inputs.shape[1]
        slots = jnp.arange(t)
        self_mask = causal_mask(slots, slots, jnp.zeros(dec_inputs.shape[0], jnp.int32)) & dec_mask[:, None, None, None, :]
        states = self.decode_all(dec_inputs, None, self_mask, self.cross_kv(enc_out), enc_mask)
        mlm = None if mlm_positions is None else self.mlm_logits(enc_out, mlm_positions)
        return Outputs(self.logits(states), self.value_head(states, value_mask), mlm)


def create(config: ModelConfig, seed: int = 0) -> Transformer:
    return Transformer(config, key=jax.random.key(seed))


def abstract_model(config: ModelConfig) -> Transformer:
    """The model with ShapeDtypeStructs for arrays: nothing allocated."""
    return nnx.eval_shape(lambda: create(config))


def count_params(config: ModelConfig) -> int:
    _, params = nnx.split(abstract_model(config), nnx.Param)
    return sum(int(x.size) for x in jax.tree.leaves(params))


def forward_flops(config: ModelConfig, enc_len: int, dec_len: int, mlm_positions: int = 0) -> float:
    """Matmul FLOPs of one example's forward pass (attention counted in full, as computed).
    A training step costs about 3x this (forward + backward)."""
    c = config
    d, f, v = c.d_model, c.ffn_dim, c.vocab_size
    qo, kv = c.num_heads * c.head_dim, c.num_kv_heads * c.head_dim

    def attention(tq: int, tk: int) -> float:
        proj = 2 * tq * d * qo * 2 + 2 * tk * d * kv * 2  # q, o; k, v
        return proj + 2 * tq * tk * qo * 2  # logits and the weighted sum

    enc = c.encoder_layers * (attention(enc_len, enc_len) + 4 * enc_len * d * f)
    dec = c.decoder_layers * (attention(dec_len, dec_len) + attention(dec_len, enc_len) + 4 * dec_len * d * f)
    heads = 2 * dec_len * d * v + 2 * mlm_positions * d * v
    return float(enc + dec + heads)
