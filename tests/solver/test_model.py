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
def tiny_model_fns(config=TINY):
    """The tiny model's graph and a jitted initialiser: every computation below is one jitted
    function (eager mode compiles each operation separately: ten times slower here)."""
    graphdef, _ = nnx.split(abstract_model(config), nnx.Param)
    init = jax.jit(lambda key: nnx.split(Transformer(config, key=key), nnx.Param)[1])
    return graphdef, init


@pytest.mark.parametrize("attention", ["einsum", "xla"])
@pytest.mark.parametrize("kv_heads", [1, 2, 4])
def test_grouped_attention_equals_multi_head_with_repeated_keys(kv_heads, attention):
    """q [B,T,K,G,H] against k/v [B,S,K,H] is multi-head attention where each K/V head serves G
    query heads: compare with a plain per-head computation that repeats K/V (csim's batched
    matmuls and jax.nn.dot_product_attention alike)."""
    config = replace(TINY, num_kv_heads=kv_heads, attention=attention)
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


@pytest.mark.parametrize("attention", ["einsum", "xla"])
def test_shared_cross_kv_equals_per_row_kv(attention):
    """One statement's K/V without a batch axis gives what a copy per row gives."""
    config = replace(TINY, attention=attention)
    x = jax.random.normal(jax.random.key(1), (3, 4, TINY.d_model))
    enc = jax.random.normal(jax.random.key(2), (6, TINY.d_model))
    enc_mask = jnp.array([[True] * 5 + [False]])
    shapes = {"einsum": ((1, TINY.head_dim, 6), (1, 6, TINY.head_dim), (3, TINY.head_dim, 6)),
              "xla": ((6, 1, TINY.head_dim), (6, 1, TINY.head_dim), (3, 6, 1, TINY.head_dim))}[attention]

    @jax.jit
    def run(x, enc, enc_mask):
        attn = Attention(config, key=jax.random.key(0))
        kv = attn.keys_values(enc)
        assert kv.shared and kv.keys.shape == shapes[0] and kv.values.shape == shapes[1] and kv.length == 6
        shared = attn.attend(attn.queries(x), kv, mask_for(None, enc_mask))
        rows = attn.keys_values(jnp.broadcast_to(enc, (3, 6, TINY.d_model)))
        assert not rows.shared and rows.keys.shape == shapes[2]
        return shared, attn.attend(attn.queries(x), rows, mask_for(None, jnp.broadcast_to(enc_mask, (3, 6))))

    shared, batched = run(x, enc, enc_mask)
    np.testing.assert_allclose(shared, batched, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("attention", ["einsum", "xla"])
def test_cached_decoding_equals_the_whole_decoder(attention):
    """Prefill a left-padded prefix, then feed tokens one at a time through the cache: the logits
    equal those of running the decoder over the whole sequence at once."""
    graphdef, init = tiny_model_fns(replace(TINY, attention=attention))
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


def _forward_and_grads(config, params, batch):
    """Training outputs and the gradient of a loss of them, for CONFIG (the same parameters fit
    every attention implementation, dtype and remat policy)."""
    graphdef, _ = nnx.split(abstract_model(config), nnx.Param)

    def loss(params):
        out = nnx.merge(graphdef, params)(*batch)
        return jnp.mean(jax.nn.logsumexp(out.logits, axis=-1)) + jnp.mean(out.value_logit), out.logits

    (value, logits), grads = jax.jit(jax.value_and_grad(loss, has_aux=True))(params)
    return value, logits, grads


def _tiny_batch(b=2, s=24, t=16):
    enc = jax.random.randint(jax.random.key(6), (b, s), 5, TINY.vocab_size)
    dec = jax.random.randint(jax.random.key(7), (b, t), 5, TINY.vocab_size)
    enc_mask = jnp.arange(s)[None] < jnp.array([[s], [s - 5]])
    dec_mask = jnp.arange(t)[None] < jnp.array([[t], [t - 3]])
    return enc, enc_mask, dec, dec_mask, dec_mask


def test_dot_product_attention_computes_what_the_einsum_attention_computes():
    """The whole model (encoder self, decoder causal self and cross attention, padding masks)
    with attention through jax.nn.dot_product_attention: the same logits and gradients."""
    _, init = tiny_model_fns()
    params, batch = init(jax.random.key(3)), _tiny_batch()
    value, logits, grads = _forward_and_grads(TINY, params, batch)
    value_x, logits_x, grads_x = _forward_and_grads(replace(TINY, attention="xla"), params, batch)
    np.testing.assert_allclose(logits_x, logits, rtol=1e-4, atol=1e-4)
    jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5), grads_x, grads)


@pytest.mark.parametrize("policy", ["full", "dots_no_batch"])
def test_rematerialised_layers_give_the_same_gradients(policy):
    """A remat policy changes what the backward pass recomputes, not what it computes; and it
    is really applied (the differentiated program holds checkpointed layers)."""
    _, init = tiny_model_fns()
    params, batch = init(jax.random.key(3)), _tiny_batch()
    value, _, grads = _forward_and_grads(TINY, params, batch)
    config = replace(TINY, remat=policy)
    value_r, _, grads_r = _forward_and_grads(config, params, batch)
    np.testing.assert_allclose(value_r, value, rtol=1e-6)
    jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7), grads_r, grads)
    graphdef, _ = nnx.split(abstract_model(config), nnx.Param)
    jaxpr = str(jax.make_jaxpr(jax.grad(lambda p: nnx.merge(graphdef, p)(*batch).logits.sum()))(params))
    assert jaxpr.count("checkpoint[") + jaxpr.count("remat") >= TINY.encoder_layers + TINY.decoder_layers


def test_bfloat16_computes_in_bfloat16_with_float32_parameters():
    """dtype bfloat16: parameters stay float32, every matmul of the forward pass runs on bfloat16
    operands (the tied output projection, the largest, once ran in float32), logits come back
    float32 and agree with float32's to bfloat16's precision."""
    _, init = tiny_model_fns()
    params, batch = init(jax.random.key(3)), _tiny_batch()
    assert {x.dtype for x in jax.tree.leaves(params)} == {jnp.dtype(jnp.float32)}
    _, logits, _ = _forward_and_grads(TINY, params, batch)
    config = replace(TINY, dtype="bfloat16")
    _, logits_bf, grads_bf = _forward_and_grads(config, params, batch)
    assert logits_bf.dtype == jnp.float32
    assert {x.dtype for x in jax.tree.leaves(grads_bf)} == {jnp.dtype(jnp.float32)}
    assert float(jnp.max(jnp.abs(logits_bf - logits))) < 0.05 * float(jnp.max(jnp.abs(logits)))
    graphdef, _ = nnx.split(abstract_model(config), nnx.Param)
    text = jax.jit(lambda p: nnx.merge(graphdef, p)(*batch).logits).lower(params).as_text()
    dots = [line for line in text.splitlines() if "dot_general" in line]
    assert dots and [line for line in dots if "bf16" not in line.split(":")[-1].split("->")[0]] == []
