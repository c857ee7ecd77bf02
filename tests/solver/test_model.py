"""The model: paper-sized parameter counts, multi-query attention, the KV cache."""

from __future__ import annotations

import functools
from dataclasses import replace

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from solver.model.attention import Attention, causal_mask, mask_for
from solver.model.config import MODEL_PRESETS, PAPER_PARAMS
from solver.model.transformer import Transformer, abstract_model, count_params, forward_flops


@pytest.mark.parametrize("name", sorted(PAPER_PARAMS))
def test_paper_presets_match_table3(name):
    """AlphaCode Table 3: 284M, 1.1B, 2.8B, 8.7B, 41.1B, counted by nnx.eval_shape (nothing allocated)."""
    n = count_params(MODEL_PRESETS[name])
    assert abs(n / PAPER_PARAMS[name] - 1) < 0.04, (name, n)


def test_small_preset_is_about_seven_million_parameters():
    assert 6e6 < count_params(MODEL_PRESETS["small"]) < 9e6


TINY = MODEL_PRESETS["tiny"]


@functools.cache
def tiny_model_fns():
    """The tiny model's graph and a jitted initialiser: every computation below is one jitted
    function (eager mode compiles each operation separately: ten times slower here)."""
    graphdef, _ = nnx.split(abstract_model(TINY), nnx.Param)
    init = jax.jit(lambda key: nnx.split(Transformer(TINY, key=key), nnx.Param)[1])
    return graphdef, init


@pytest.mark.parametrize("kv_heads", [1, 2, 4])
def test_grouped_attention_equals_multi_head_with_repeated_keys(kv_heads):
    """q [B,T,K,G,H] against k/v [B,S,K,H] is multi-head attention where each K/V head serves G
    query heads: compare with a plain per-head computation that repeats K/V."""
    config = replace(TINY, num_kv_heads=kv_heads)
    x = jax.random.normal(jax.random.key(1), (2, 5, config.d_model))
    y = jax.random.normal(jax.random.key(2), (2, 7, config.d_model))
    mask = mask_for(jnp.ones((2, 5), bool), jnp.array([[True] * 7, [True] * 4 + [False] * 3]))

    @jax.jit
    def run(x, y, mask):
        attn = Attention(config, key=jax.random.key(0))
        return attn.attend(attn.queries(x), attn.keys_values(y), mask), (attn.q[...], attn.k[...], attn.v[...], attn.o[...])

    got, (wq, wk, wv, wo) = run(x, y, mask)
    q = np.einsum("btd,dnh->btnh", x, wq) / np.sqrt(config.head_dim)
    kk = np.repeat(np.einsum("bsd,dkh->bskh", y, wk), config.groups, axis=2)
    vv = np.repeat(np.einsum("bsd,dkh->bskh", y, wv), config.groups, axis=2)
    logits = np.einsum("btnh,bsnh->bnts", q, kk)
    logits = np.where(np.array(mask)[:, 0, :, 0][:, None], logits, -np.inf)
    w = np.exp(logits - logits.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    want = np.einsum("bnts,bsnh,nhd->btd", w, vv, wo)
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5)


def test_shared_cross_kv_equals_per_row_kv():
    """One statement's K/V without a batch axis gives what a copy per row gives."""
    x = jax.random.normal(jax.random.key(1), (3, 4, TINY.d_model))
    enc = jax.random.normal(jax.random.key(2), (6, TINY.d_model))
    enc_mask = jnp.array([[True] * 5 + [False]])

    @jax.jit
    def run(x, enc, enc_mask):
        attn = Attention(TINY, key=jax.random.key(0))
        kv = attn.keys_values(enc)
        assert kv.shared and kv.keys.shape == (1, TINY.head_dim, 6) and kv.values.shape == (1, 6, TINY.head_dim)
        shared = attn.attend(attn.queries(x), kv, mask_for(None, enc_mask))
        rows = attn.keys_values(jnp.broadcast_to(enc, (3, 6, TINY.d_model)))
        assert not rows.shared and rows.keys.shape == (3, TINY.head_dim, 6)
        return shared, attn.attend(attn.queries(x), rows, mask_for(None, jnp.broadcast_to(enc_mask, (3, 6))))

    shared, batched = run(x, enc, enc_mask)
    np.testing.assert_allclose(shared, batched, rtol=1e-5, atol=1e-5)


def test_cached_decoding_equals_the_whole_decoder():
    """Prefill a left-padded prefix, then feed tokens one at a time through the cache: the logits
    equal those of running the decoder over the whole sequence at once."""
    graphdef, init = tiny_model_fns()
    params = init(jax.random.key(3))
    b, total, prefix = 2, 12, 5
    start = jnp.array([0, 2])  # row 1 is left-padded by two slots
    tokens = jax.random.randint(jax.random.key(4), (b, total), 5, TINY.vocab_size)
    enc = jax.random.randint(jax.random.key(5), (1, 9), 5, TINY.vocab_size)
    enc_mask = jnp.array([[True] * 7 + [False] * 2])

    @jax.jit
    def whole(params):
        model = nnx.merge(graphdef, params)
        cross = model.cross_kv(model.encode(enc, enc_mask)[0])
        slots = jnp.arange(total)
        positions = jnp.maximum(slots[None] - start[:, None], 0)
        states = model.decode_all(tokens, positions, causal_mask(slots, slots, start), cross, enc_mask)
        return model.logits(states), cross, model.init_cache(b, total)

    @jax.jit
    def decode(params, tokens, slot, cache, cross):
        return nnx.merge(graphdef, params).decode(tokens, slot, cache, start, cross, enc_mask)

    full, cross, cache = whole(params)
    logits, cache = decode(params, tokens[:, :prefix], 0, cache, cross)
    stepped = [logits]
    for i in range(prefix, total):
        logits, cache = decode(params, tokens[:, i:i + 1], i, cache, cross)
        stepped.append(logits)
    stepped = jnp.concatenate(stepped, axis=1)
    for row in range(b):
        real = slice(int(start[row]), total)
        np.testing.assert_allclose(stepped[row, real], full[row, real], rtol=1e-4, atol=1e-4)


def test_forward_flops_counts_the_matmuls_xla_counts():
    """The analytic FLOP count (used for MFU) is within 10% of XLA's own count of the forward pass."""
    graphdef, init = tiny_model_fns()
    params = init(jax.random.key(0))
    b, s, t = 2, 64, 32

    def forward(params, enc, dec):
        m = nnx.merge(graphdef, params)
        ones_s, ones_t = jnp.ones((b, s), bool), jnp.ones((b, t), bool)
        return m(enc, ones_s, dec, ones_t, ones_t).logits

    enc = jnp.ones((b, s), jnp.int32)
    dec = jnp.ones((b, t), jnp.int32)
    cost = jax.jit(forward).lower(params, enc, dec).compile().cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    assert abs(cost["flops"] / (b * forward_flops(TINY, s, t)) - 1) < 0.1
