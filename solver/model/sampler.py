"""Sampling programs from a trained run: one jitted decode loop with a KV cache.

Per problem, the statement is encoded once and every decoder layer's cross-attention keys/values
are computed once and shared (without a batch axis) by every sample. Each sample starts from its
own decoder prefix, BOS + a value-conditioning header drawn as AlphaCode does (solver.model.data.header);
prefixes are left-padded to one length per run (the longest possible header), prefilled in one
call, then tokens are drawn one at a time inside a lax.while_loop until every row has produced
EOS or the decoder is full.

Determinism: sample i of a problem uses only keys derived from (seed, problem id, i, step) and a
header drawn from (seed, problem id, i), so a seed gives the same samples whatever the batch size
or how many are drawn, up to floating-point differences between batch shapes (XLA may sum in a
different order for another batch size; same batch size, same bits).

Several hosts: sampling never crosses hosts. Each host runs its own Sampler on its own devices
(a mesh of jax.local_devices()) and draws its share of a problem's sample indices
(host_share: i = host, host + hosts, ...); as sample i depends on i alone, the hosts together
draw the very set one host would (tests/solver/test_scale.py runs two JAX processes).

A token is drawn by inverting the CDF with one uniform number per row (not Gumbel noise over the
whole vocabulary: one random number instead of 8,000 per row and step, which matters on a CPU).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

from contests.model import Problem
from solver.model import mesh as meshlib
from solver.model.attention import causal_mask
from solver.model.checkpoint import CheckpointStore, abstract_with_shardings
from solver.model.config import ModelConfig, read_run_config
from solver.model.data.batches import decoder_prefix
from solver.model.data.header import FALLBACK_TAG_SETS, RATINGS, HeaderFields, format_header, random_header_fields
from solver.model.transformer import abstract_model
from solver.model.rundir import RunDir
from solver.model.tokenizer import Tokenizer

ENCODER_BUCKET = 128  # statements are padded to a multiple of this: few encoder shapes
PREFIX_BUCKET = 8
SEGMENT = 64  # new tokens the decode loop's first segment holds (_segments)


@dataclass(frozen=True)
class Sample:
    index: int  # 0..n-1 within the problem
    source: str
    language: str
    header: dict  # solver.model.data.header.HeaderFields.to_dict()
    logprob: float  # sum of log p(token) under the sampling temperature (before top-k/top-p), EOS included
    tokens: int  # tokens generated (EOS included if reached)
    seconds: float  # since sampling this problem began, when this sample was ready


def _round_up(n: int, m: int) -> int:
    return -(-n // m) * m


def host_share(n: int, host: int, hosts: int) -> range:
    """The indices among a problem's N samples that host HOST of HOSTS draws: disjoint, together
    all of 0..n-1, and balanced to one sample."""
    if not 0 <= host < hosts:
        raise ValueError(f"host must be in 0..{hosts - 1}, not {host}")
    return range(host, n, hosts)


def problem_key(seed: int, problem_id: str) -> jax.Array:
    """The root key of one problem's samples: (seed, problem)."""
    return jax.random.fold_in(jax.random.key(seed), zlib.crc32(problem_id.encode("utf-8")))


def _cumsum(x: jax.Array) -> jax.Array:
    """Cumulative sum over the last axis in O(V log V) (for top-p). jnp.cumsum lowers to a
    reduce-window on XLA's CPU backend: O(V^2), 8,000^2 additions per row and step."""
    return jax.lax.associative_scan(jnp.add, x, axis=-1)


def _cdf_block(v: int, most: int = 128) -> int:
    """Block size for invert_cdf: the largest divisor of V up to MOST (8,000 -> 125), so that
    [B, V] reshapes to blocks without a padded copy; MOST (with padding) where V has none near."""
    block = max(d for d in range(1, most + 1) if v % d == 0)
    return block if block >= most // 4 else most


def invert_cdf(probs: jax.Array, u: jax.Array, block: int | None = None) -> jax.Array:
    """The token whose CDF interval holds u [B] (uniform in [0, 1)) for probs [B, V] (or weights:
    the CDF is scaled by each row's total)."""
    return _invert_cdf(_blocks(probs, 0.0, block), u, lambda p: p)[0]


def _blocks(x: jax.Array, zero: float, block: int | None = None) -> jax.Array:
    """[B, V] -> [B, V / BLOCK, BLOCK] (padded with ZERO where BLOCK does not divide V)."""
    b, v = x.shape
    block = block or _cdf_block(v)
    blocks = -(-v // block)
    x = x if blocks * block == v else jnp.pad(x, ((0, 0), (0, blocks * block - v)), constant_values=zero)
    return x.reshape(b, blocks, block)


def _invert_cdf(x: jax.Array, u: jax.Array, weight, block_of=None) -> tuple[jax.Array, jax.Array, jax.Array]:
    """invert_cdf for the weights weight(x), x [B, V] in _blocks (WEIGHT elementwise, given x
    [B, ...] with rows first; the padding's weight 0): (tokens [B], each row's total weight [B],
    x at the token [B]). block_of(j) -> x's block j [B, BLOCK] of each row, where the caller has
    a cheaper way than a gather from x.

    In two levels, so that no cumulative sum runs over the whole vocabulary (see _cumsum): the
    CDF of block totals finds the block, then the CDF inside that one block finds the token.
    Per decoding step a pass over [B, V] costs as much as a layer's matmuls, so the weights are
    never written out: XLA fuses WEIGHT into the block totals (one read of x), and the chosen
    block's weights are computed again from x. Blocks divide V where they can (no padded copy)."""
    block = x.shape[-1]
    totals = weight(x).sum(axis=-1)
    block_cdf = jnp.cumsum(totals, axis=-1)
    target = u * block_cdf[:, -1]
    # Rounding at the top of a CDF can run past the last token of positive weight: such a row
    # takes the last one (of its block, or of the row) instead.
    last = lambda positive: jnp.max(jnp.where(positive, jnp.arange(positive.shape[-1]), 0), axis=-1)
    j = jnp.minimum((block_cdf <= target[:, None]).sum(axis=-1), last(totals > 0))
    before = jnp.where(j > 0, jnp.take_along_axis(block_cdf, jnp.maximum(j - 1, 0)[:, None], axis=1)[:, 0], 0.0)
    inner_x = jnp.take_along_axis(x, j[:, None, None], axis=1)[:, 0] if block_of is None else block_of(j)
    inner = weight(inner_x)
    i = jnp.minimum((before[:, None] + jnp.cumsum(inner, axis=-1) <= target[:, None]).sum(axis=-1), last(inner > 0))
    return j * block + i, block_cdf[:, -1], jnp.take_along_axis(inner_x, i[:, None], axis=1)[:, 0]


def _segments(max_new: int, first: int = SEGMENT) -> tuple[int, ...]:
    """Where the decode loop's segments end: FIRST, doubling, then MAX_NEW (64 -> 64; 740 -> 64,
    128, 256, 512, 740): a compiled loop per segment, and on average less than 1.5x the filled
    cache read per step."""
    ends = [first]
    while ends[-1] < max_new:
        ends.append(ends[-1] * 2)
    return tuple(ends[:-1]) + (max_new,)


def draw_tokens(
    logits: jax.Array, keys: jax.Array, temperature: jax.Array, top_k: int | None, top_p: jax.Array | None,
    banned: tuple[int, ...] = (),
) -> tuple[jax.Array, jax.Array]:
    """One token per row of logits [B, V] with per-row keys [B]: (tokens [B], log p [B] under
    softmax(logits / temperature)). BANNED ids (pad, bos, unk, mask) are never drawn."""
    # Banned ids by a where with a constant mask, which XLA fuses into its readers (a scatter
    # would be a pass over [B, V] of its own).
    is_banned = np.zeros(logits.shape[-1], bool)
    is_banned[list(banned)] = True
    scale = lambda logits, is_banned: jnp.where(is_banned, -jnp.inf, logits.astype(jnp.float32) / temperature)
    scaled = scale(logits, is_banned)
    kept = scaled
    if top_k is not None:
        kth = jax.lax.top_k(scaled, top_k)[0][:, -1:]
        kept = jnp.where(scaled < kth, -jnp.inf, kept)
    if top_p is not None:
        # Keep the most likely tokens until their probabilities sum to top_p (at least one).
        probs = jax.nn.softmax(kept, axis=-1)
        ranked = -jnp.sort(-probs, axis=-1)
        count = ((_cumsum(ranked) - ranked) < top_p).sum(axis=-1, keepdims=True)
        kept = jnp.where(probs < jnp.take_along_axis(ranked, count - 1, axis=-1), -jnp.inf, kept)
    u = jax.vmap(lambda k: jax.random.uniform(k))(keys)
    # The draw and, untruncated, the log-probability share one pass of exp over [B, V]: softmax
    # and log_softmax, written out, from the row's total.
    # XLA writes kept out once, for both reductions (the barrier: without it, a second copy in the
    # flat [B, V] for the maximum); the exp over [B, V] is never written out (_invert_cdf).
    kept = jax.lax.optimization_barrier(_blocks(kept, -jnp.inf))
    top = jnp.max(kept, axis=(1, 2))
    block_of = None
    if top_k is None and top_p is None:
        # The drawn block scaled again from the logits: gathered from kept, XLA would write the
        # scaled logits out as well (a pass over [B, V]) for the gather to read.
        blocked_logits, blocked_mask = _blocks(logits, 0.0), jnp.asarray(_blocks(is_banned[None], True)[0])
        block_of = lambda j: scale(jnp.take_along_axis(blocked_logits, j[:, None, None], axis=1)[:, 0],
                                   blocked_mask[j])
    tokens, total, picked = _invert_cdf(kept, u, lambda x: jnp.exp(x - top.reshape(-1, *[1] * (x.ndim - 1))),
                                        block_of)
    if top_k is None and top_p is None:
        top_all, log_total = top, jnp.log(total)
    else:
        top_all = jnp.max(scaled, axis=-1)
        log_total = jnp.log(jnp.exp(scaled - top_all[:, None]).sum(axis=-1))
    # log p of the drawn token: its entry of kept is scaled's (neither banned nor truncated).
    return tokens.astype(jnp.int32), picked - top_all - log_total


class Decoder:
    """The jitted pieces of sampling for one model: encode a statement, generate a batch with the
    cache, and (for tests and benchmarks) generate by recomputing the whole decoder each step."""

    def __init__(self, config: ModelConfig, mesh: Mesh, eos_id: int, pad_id: int = 0, banned: Sequence[int] = ()):
        self.config, self.mesh, self.eos_id, self.pad_id = config, mesh, eos_id, pad_id
        self.banned = tuple(sorted(set(banned) - {eos_id}))
        self.graphdef, abstract = nnx.split(abstract_model(config), nnx.Param)
        self.param_shardings = meshlib.param_shardings(abstract, mesh)
        self.abstract_params = abstract_with_shardings(abstract, self.param_shardings)
        rows = NamedSharding(mesh, P(meshlib.DATA))
        self.rows = rows
        self.encode = jax.jit(self._encode)
        static = ("max_new", "top_k", "use_top_p")
        self.generate = jax.jit(self._generate, static_argnames=static, out_shardings=(rows, rows, rows))
        self.generate_uncached = jax.jit(self._generate_uncached, static_argnames=static,
                                         out_shardings=(rows, rows, rows))

    def _model(self, params):
        return nnx.merge(self.graphdef, params)

    def _encode(self, params, enc_tokens: jax.Array, enc_mask: jax.Array):
        """One statement [S] -> every decoder layer's shared cross K/V ([K, H, S] each)."""
        model = self._model(params)
        enc_out = model.encode(enc_tokens[None], enc_mask[None])[0]
        return model.cross_kv(enc_out)

    def _loop(self, first_logits, step_fn, state, keys, limits, temperature, top_p, max_new, top_k, use_top_p,
              grow=None):
        """Draw tokens until every row has emitted EOS or its limit (limits [B] <= max_new) of
        tokens. step_fn(state, tokens, i) -> (logits [B, V], state) feeds token i of every row.
        With GROW, one loop per segment of _segments(max_new) and grow(state, end) between them
        (the cache holds a segment's positions, not all max_new)."""
        b = keys.shape[0]
        out = jnp.full((b, max_new), self.pad_id, jnp.int32)
        carry = (jnp.int32(0), first_logits, state, out, jnp.zeros(b, jnp.float32), jnp.zeros(b, bool))

        def body(carry):
            i, logits, state, out, logprob, done = carry
            step_keys = jax.vmap(lambda k: jax.random.fold_in(k, i))(keys)
            tokens, lp = draw_tokens(logits, step_keys, temperature, top_k, top_p if use_top_p else None,
                                     self.banned)
            tokens = jnp.where(done, self.pad_id, tokens)
            logprob = logprob + jnp.where(done, 0.0, lp)
            out = jax.lax.dynamic_update_slice(out, tokens[:, None], (0, i))
            done = done | (tokens == self.eos_id) | (i + 1 >= limits)
            logits, state = step_fn(state, tokens, i)
            return i + 1, logits, state, out, logprob, done

        for n, end in enumerate(_segments(max_new) if grow else (max_new,)):
            if n:
                carry = (*carry[:2], grow(carry[2], end), *carry[3:])
            carry = jax.lax.while_loop(lambda c, end=end: (c[0] < end) & ~jnp.all(c[5]), body, carry)
        _, _, _, out, logprob, _ = carry
        ended = (out == self.eos_id).any(axis=1)
        lengths = jnp.where(ended, jnp.argmax(out == self.eos_id, axis=1) + 1, (out != self.pad_id).sum(axis=1))
        return out, logprob, lengths

    def _generate(self, params, cross, enc_mask, prefix, start, keys, limits, temperature, top_p, *,
                  max_new: int, top_k: int | None, use_top_p: bool):
        """prefix [B, P] left-padded (row b's first real token at start[b]); keys [B] per sample;
        limits [B] tokens each row may add. Returns (tokens [B, max_new], summed log p [B], lengths [B]).
        The cache grows segment by segment, so that attention reads the filled part, not max_new."""
        model = self._model(params)
        b, p = prefix.shape
        mask = enc_mask[None]
        cache = model.init_cache(b, p + _segments(max_new)[0])
        qkv = model.fused_qkv()  # outside the loop: made once, not at every step
        logits, cache = model.decode(prefix, 0, cache, start, cross, mask, qkv)

        def step(cache, tokens, i):
            logits, cache = model.decode(tokens[:, None], p + i, cache, start, cross, mask, qkv)
            return logits[:, 0], cache

        def grow(cache, end):
            return tuple(kv.grow(p + end) for kv in cache)

        return self._loop(logits[:, -1], step, cache, keys, limits, temperature, top_p, max_new, top_k, use_top_p,
                          grow)

    def _generate_uncached(self, params, cross, enc_mask, prefix, start, keys, limits, temperature, top_p, *,
                           max_new: int, top_k: int | None, use_top_p: bool):
        """The same draws as _generate, but every step runs the whole decoder over the whole
        sequence so far (no cache): the reference the cache must reproduce, and its speed baseline."""
        model = self._model(params)
        b, p = prefix.shape
        length = p + max_new
        mask = enc_mask[None]
        slots = jnp.arange(length)
        positions = jnp.maximum(slots[None, :] - start[:, None], 0)
        self_mask = causal_mask(slots, slots, start)
        buffer = jnp.concatenate([prefix, jnp.full((b, max_new), self.pad_id, jnp.int32)], axis=1)

        def logits_at(buffer, slot):
            states = model.decode_all(buffer, positions, self_mask, cross, mask)
            return model.logits(jax.lax.dynamic_slice_in_dim(states, slot, 1, axis=1))[:, 0]

        def step(buffer, tokens, i):
            buffer = jax.lax.dynamic_update_slice(buffer, tokens[:, None], (0, p + i))
            return logits_at(buffer, p + i), buffer

        return self._loop(logits_at(buffer, p - 1), step, buffer, keys, limits, temperature, top_p, max_new,
                          top_k, use_top_p)


def _decoder_for(config: ModelConfig, mesh: Mesh, tokenizer: Tokenizer) -> Decoder:
    banned = (tokenizer.pad_id, tokenizer.unk_id, tokenizer.bos_id, tokenizer.mask_id)
    return Decoder(config, mesh, tokenizer.eos_id, tokenizer.pad_id, banned)


class Sampler:
    """Draws programs for a problem from a model (usually a fine-tuned run: Sampler.from_run)."""

    def __init__(self, config: ModelConfig, params, tokenizer: Tokenizer, *, mesh: Mesh | None = None,
                 tag_sets: Sequence[Sequence[str]] | None = None, ratings: Sequence[int] = RATINGS,
                 batch_size: int = 32, describe: dict | None = None):
        """RATINGS: those random headers draw from; empty for a model whose training problems had
        none (it never saw a RATING line, so headers leave it out)."""
        self.config, self.tokenizer = config, tokenizer
        self.mesh = mesh or meshlib.make_mesh(devices=jax.local_devices())  # this host's devices only
        self.tag_sets = [tuple(t) for t in tag_sets] if tag_sets else list(FALLBACK_TAG_SETS)
        self.ratings = tuple(ratings)
        self.batch_size = batch_size
        self.decoder = _decoder_for(config, self.mesh, tokenizer)
        self.params = jax.device_put(params, self.decoder.param_shardings)
        self._describe = dict(describe or {})

    @classmethod
    def from_run(cls, run_dir: str | Path, *, step: int | None = None, mesh: Mesh | None = None,
                 batch_size: int = 32) -> Sampler:
        run_dir = Path(run_dir)
        config, extra = read_run_config(RunDir(run_dir).config)
        tokenizer = Tokenizer.load(RunDir(run_dir).tokenizer)
        mesh = mesh or meshlib.make_mesh(devices=jax.local_devices())
        decoder = _decoder_for(config.model, mesh, tokenizer)
        with CheckpointStore(RunDir(run_dir).checkpoints, read_only=True) as store:
            step = store.latest_step() if step is None else step
            params, _, _ = store.restore(step, decoder.abstract_params)
        describe = {"run_dir": str(run_dir.resolve()), "step": step, "tokenizer": tokenizer.digest,
                    "model": asdict(config.model), "kind": extra.get("kind")}
        return cls(config.model, params, tokenizer, mesh=mesh, tag_sets=extra.get("tag_sets"),
                   ratings=extra["header_ratings"] if "header_ratings" in extra else RATINGS,
                   batch_size=batch_size, describe=describe)

    def describe(self) -> dict:
        return dict(self._describe, batch_size=self.batch_size)

    # --- inputs ----------------------------------------------------------------------------------
    def statement_tokens(self, problem: Problem) -> tuple[np.ndarray, np.ndarray]:
        """The encoder input exactly as fine-tuning builds it (solver/model/data/examples.py: the
        statement's first max-encoder tokens), padded to a multiple of ENCODER_BUCKET."""
        ids = self.tokenizer.encode(problem.statement)[: self.config.max_encoder_len]
        size = min(_round_up(max(len(ids), 1), ENCODER_BUCKET), self.config.max_encoder_len)
        tokens = np.zeros(size, np.int32)
        tokens[: len(ids)] = ids
        return tokens, np.arange(size) < len(ids)

    def header_for(self, seed: int, problem: Problem, index: int, languages: Sequence[str],
                   headers: str = "random") -> HeaderFields:
        """Sample INDEX's header. "random": AlphaCode's (a random rating and popular tag set, the
        only choice in a real contest); "problem": the problem's own rating and tags where known
        (an oracle, e.g. to check that a model reproduces what it was trained on). The language is
        drawn from LANGUAGES either way."""
        rng = np.random.default_rng([seed, zlib.crc32(problem.id.encode("utf-8")), index])
        fields = random_header_fields(rng, languages=tuple(languages), tag_sets=self.tag_sets, ratings=self.ratings)
        if headers == "problem":
            return HeaderFields(problem.rating, tuple(sorted(problem.tags)), fields.language, True)
        if headers != "random":
            raise ValueError(f"headers must be 'random' or 'problem', not {headers!r}")
        return fields

    def prefix_lengths(self, problem: Problem, languages: Sequence[str], headers: str) -> tuple[int, int]:
        """(padded length, shortest) of the prefixes a problem's samples can get. Every prefix is
        left-padded to the longest possible (4-digit ratings, the longest tag set, any of
        LANGUAGES), so that a sample's layout does not depend on which batch it is drawn in, and
        the shapes (hence compilations) are the same for every problem; the shortest bounds how
        many tokens any sample can add."""
        candidates = [HeaderFields(rating, tags, language, True)
                      for tags in self.tag_sets for language in languages
                      for rating in ((min(self.ratings), max(self.ratings)) if self.ratings else (None,))]
        if headers == "problem":  # as well as, not instead of: shapes stay those of "random"
            candidates += [HeaderFields(problem.rating, tuple(sorted(problem.tags)), language, True)
                           for language in languages]
        lengths = [len(decoder_prefix(self.tokenizer, format_header(fields))) for fields in candidates]
        if max(lengths) >= self.config.max_decoder_len:
            raise ValueError(f"headers of {max(lengths)} tokens leave no room in a "
                             f"{self.config.max_decoder_len}-token decoder")
        # The shortest bound counts the barest header (no rating, no tags) too, so that it is the
        # same for every problem, in either mode.
        barest = min(len(decoder_prefix(self.tokenizer, format_header(HeaderFields(None, (), language, True))))
                     for language in languages)
        return _round_up(max(lengths), PREFIX_BUCKET), min(barest, *lengths)

    def _prefixes(self, headers: list[HeaderFields], length: int) -> tuple[np.ndarray, np.ndarray]:
        """Left-padded prefixes [B, LENGTH] and where each starts."""
        ids = [decoder_prefix(self.tokenizer, format_header(fields)) for fields in headers]
        prefix = np.full((len(ids), length), self.tokenizer.pad_id, np.int32)
        start = np.array([length - len(row) for row in ids], np.int32)
        for row, (first, tokens) in enumerate(zip(start, ids)):
            prefix[row, first:] = tokens
        return prefix, start

    # --- sampling --------------------------------------------------------------------------------
    def sample(self, problem: Problem, n: int, *, seed: int, temperature: float = 0.25, top_k: int | None = None,
               top_p: float | None = None, languages: Sequence[str] = ("python", "cpp"),
               batch_size: int | None = None, max_new_tokens: int | None = None, headers: str = "random",
               use_cache: bool = True, share: tuple[int, int] = (0, 1)) -> Iterator[Sample]:
        """N samples for PROBLEM, yielded batch by batch as they are ready (headers: see header_for;
        use_cache=False recomputes the whole decoder every step, for comparison only). SHARE =
        (host, hosts) draws only that host's indices of the N (host_share), e.g.
        (jax.process_index(), jax.process_count()) in every process of a multi-host job."""
        indices = host_share(n, *share)
        if n < 0 or temperature <= 0:
            raise ValueError("n must be >= 0 and temperature > 0")
        if top_k is not None and not 1 <= top_k <= self.config.vocab_size:
            raise ValueError(f"top_k must be in 1..{self.config.vocab_size}")
        if top_p is not None and not 0 < top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        started = time.perf_counter()
        data = self.mesh.shape[meshlib.DATA]
        # Rows per call: the batch size, or the power of two that holds a smaller share (few shapes).
        size = _round_up(min(batch_size or self.batch_size, 1 << max(len(indices) - 1, 0).bit_length()), data)
        # A row may add tokens until its positions fill the decoder (max_decoder_len).
        prefix_len, shortest = self.prefix_lengths(problem, languages, headers)
        max_new = self.config.max_decoder_len - shortest
        if max_new_tokens is not None:
            max_new = max(1, min(max_new_tokens, max_new))
        enc_tokens, enc_mask = self.statement_tokens(problem)
        cross = self.decoder.encode(self.params, enc_tokens, enc_mask)
        root = problem_key(seed, problem.id)
        generate = self.decoder.generate if use_cache else self.decoder.generate_uncached
        for first in range(0, len(indices), size):
            rows = list(indices[first:first + size])
            drawn = len(rows)
            rows += [rows[-1]] * (size - drawn)  # a short last batch repeats its last sample, dropped
            fields = [self.header_for(seed, problem, i, languages, headers) for i in rows]
            prefix, start = self._prefixes(fields, prefix_len)
            limits = np.minimum(max_new, self.config.max_decoder_len - (prefix_len - start)).astype(np.int32)
            keys = jax.vmap(lambda i: jax.random.fold_in(root, i))(jnp.asarray(rows, jnp.int32))
            tokens, logprob, lengths = generate(
                self.params, cross, jnp.asarray(enc_mask), jax.device_put(prefix, self.decoder.rows),
                jax.device_put(start, self.decoder.rows), jax.device_put(keys, self.decoder.rows),
                jax.device_put(limits, self.decoder.rows),
                jnp.float32(temperature), jnp.float32(top_p or 1.0),
                max_new=max_new, top_k=top_k, use_top_p=top_p is not None,
            )
            tokens, logprob, lengths = jax.device_get((tokens, logprob, lengths))
            now = time.perf_counter() - started
            for row, index in enumerate(rows[:drawn]):
                ids = [int(t) for t in tokens[row, : lengths[row]] if t != self.tokenizer.eos_id]
                yield Sample(index, self.tokenizer.decode(ids), fields[row].language, fields[row].to_dict(),
                             float(logprob[row]), int(lengths[row]), round(now, 4))
