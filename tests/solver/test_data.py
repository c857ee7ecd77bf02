"""Training batches: bucket shapes, exact loss masks, masked-LM, determinism and resumption."""

from __future__ import annotations

import ast
import itertools
import shutil
import sysconfig
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from contests.errors import DataError
from contests.model import Problem, Solution
from solver.model.data.corpus import default_corpus_paths, find_source_files, problem_documents
from solver.model.data.batches import Batch, DataConfig, bucket_for, decoder_prefix, finetune_batches, pretrain_batches
from solver.model.data.header import make_header, parse_header
from solver.model.tokenizer import Tokenizer

CONFIG = DataConfig(batch_size=4, enc_buckets=(64, 128, 256), dec_buckets=(32, 64, 128, 256))


@pytest.fixture(scope="module")
def tokenizer(codecontests_dev):
    return Tokenizer.train((d.text for p in codecontests_dev for d in problem_documents(p)), None, vocab_size=800)


@pytest.fixture(scope="module")
def problems(codecontests_dev):
    return codecontests_dev[:40]


@pytest.fixture(scope="module")
def code_dir(tmp_path_factory):
    """Real code: a few modules of the standard library, one of them with CRLF line ends."""
    folder = tmp_path_factory.mktemp("code")
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for name in ("bisect.py", "heapq.py", "colorsys.py", "this.py", "keyword.py", "struct.py", "fnmatch.py"):
        shutil.copy(stdlib / name, folder / name)
    (folder / "crlf.py").write_bytes((stdlib / "bisect.py").read_bytes().replace(b"\n", b"\r\n"))
    (folder / "notes.txt").write_text("not code")  # unknown extension: not walked into the corpus
    (folder / "latin1.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))  # not UTF-8: skipped
    return folder


def take(iterator, n):
    return list(itertools.islice(iterator, n))


def same(a: Batch, b: Batch) -> bool:
    return all(np.array_equal(getattr(a, f.name), getattr(b, f.name)) for f in fields(Batch))


def check_layout(batch: Batch, config: DataConfig) -> None:
    B, S = batch.enc_tokens.shape
    T = batch.dec_inputs.shape[1]
    assert B == config.batch_size and S in config.enc_buckets and T in config.dec_buckets
    for name, shape, dtype in [("enc_tokens", (B, S), np.int32), ("enc_mask", (B, S), bool),
                               ("mlm_targets", (B, S), np.int32), ("mlm_mask", (B, S), bool),
                               ("dec_inputs", (B, T), np.int32), ("dec_targets", (B, T), np.int32),
                               ("dec_mask", (B, T), bool), ("dec_loss_mask", (B, T), bool), ("correct", (B,), np.int32)]:
        array = getattr(batch, name)
        assert array.shape == shape and array.dtype == dtype, name
    # Padding is padding; masks lie inside the real tokens; targets are inputs shifted left.
    assert not batch.enc_tokens[~batch.enc_mask].any() and not batch.dec_inputs[~batch.dec_mask].any()
    assert not (batch.mlm_mask & ~batch.enc_mask).any() and not (batch.dec_loss_mask & ~batch.dec_mask).any()
    inner = batch.dec_mask[:, 1:]
    assert np.array_equal(batch.dec_targets[:, :-1][inner], batch.dec_inputs[:, 1:][inner])


def split_row(batch: Batch, row: int, tokenizer: Tokenizer) -> tuple[str, str, bool]:
    """(header text, code text, ends with EOS) of one decoder row, read through the masks."""
    mask, loss = batch.dec_mask[row], batch.dec_loss_mask[row]
    assert batch.dec_inputs[row, 0] == tokenizer.bos_id
    header = tokenizer.decode(batch.dec_targets[row][mask & ~loss])
    code_ids = batch.dec_targets[row][loss]
    ends = code_ids[-1] == tokenizer.eos_id
    assert tokenizer.eos_id not in code_ids[:-1]
    # The loss mask is contiguous: it starts right after the header and runs to the end.
    assert loss[mask].tolist() == sorted(loss[mask].tolist())
    return header, tokenizer.decode(code_ids[:-1] if ends else code_ids), ends


def test_bucket_for():
    assert [bucket_for(n, (64, 128)) for n in (1, 64, 65, 128, 129, 10_000)] == [64, 64, 128, 128, 128, 128]


def test_config_checks_and_lengths():
    with pytest.raises(ValueError, match="increasing"):
        DataConfig(enc_buckets=(256, 128))
    with pytest.raises(ValueError, match="batch_size"):
        DataConfig(batch_size=0)
    assert DataConfig.for_lengths(512, 100).enc_buckets == (128, 256, 512)
    assert DataConfig.for_lengths(64, 768).dec_buckets == (64, 128, 256, 512, 768)
    assert DataConfig.for_lengths(64, 48).enc_buckets == (64,) and DataConfig.for_lengths(64, 48).dec_buckets == (48,)
    assert DataConfig.from_dict({"batch_size": 2, "enc_buckets": [32, 64]}).enc_buckets == (32, 64)
    with pytest.raises(DataError, match="c.json: batch_sise: unknown data setting"):
        DataConfig.from_dict({"batch_sise": 2}, origin="c.json")


def test_finetune_rows_hold_exactly_header_and_code(problems, tokenizer):
    sources = {s.source for p in problems for s in p.solutions}
    seen = {0: 0, 1: 0}
    config = DataConfig(batch_size=4, enc_buckets=(64, 128, 256), dec_buckets=(32, 64, 128, 256), finetune_mlm=False)
    for batch in take(finetune_batches(problems, tokenizer, config, seed=0), 30):
        check_layout(batch, config)
        assert not batch.mlm_mask.any()  # no masked-LM when switched off
        for row in range(config.batch_size):
            statement = tokenizer.decode(batch.enc_tokens[row][batch.enc_mask[row]])
            # Some problems appear twice (Div. 1 and Div. 2 copies): any with this statement.
            candidates = [p for p in problems if p.statement.startswith(statement)]
            header, code, ends = split_row(batch, row, tokenizer)
            correct = bool(batch.correct[row])
            assert header in {make_header(p.rating, p.tags, "python", correct) for p in candidates}
            assert parse_header(header).correct == correct
            full = [s.source for p in candidates for s in p.solutions]
            if correct:  # a real solution, whole (with EOS) or its beginning
                assert code in full if ends else any(s.startswith(code) for s in full)
            else:  # a mutant of one: different, still Python
                assert code not in sources
                if ends:
                    ast.parse(code)
            seen[int(correct)] += 1
    assert seen[0] > 20 and seen[1] > 20  # correct solutions and mutants both used


def test_decoder_prefix_is_what_rows_start_with(problems, tokenizer):
    batch = next(finetune_batches(problems[:1], tokenizer, DataConfig(batch_size=2, finetune_mlm=False), seed=3))
    problem = problems[0]
    for row in range(2):
        prefix = decoder_prefix(tokenizer, make_header(problem.rating, problem.tags, "python", bool(batch.correct[row])))
        assert batch.dec_inputs[row, : len(prefix)].tolist() == prefix
        assert not batch.dec_loss_mask[row, : len(prefix) - 1].any() and batch.dec_loss_mask[row, len(prefix) - 1]


def test_masked_lm(problems, tokenizer):
    mask_id, chosen, masked, randomised, kept, real = tokenizer.mask_id, 0, 0, 0, 0, 0
    for batch in take(finetune_batches(problems, tokenizer, CONFIG, seed=1), 15):
        check_layout(batch, CONFIG)
        for row in range(CONFIG.batch_size):
            enc, targets, mlm, real_row = (batch.enc_tokens[row], batch.mlm_targets[row], batch.mlm_mask[row],
                                           batch.enc_mask[row])
            statement = tokenizer.decode(targets[real_row])
            assert any(p.statement.startswith(statement) for p in problems)  # targets: the clean statement
            assert np.array_equal(enc[~mlm], targets[~mlm])  # only chosen positions are corrupted
            assert mlm.sum() == max(1, round(0.15 * real_row.sum()))  # BERT: a fixed 15% share
            chosen += mlm.sum()
            masked += (enc[mlm] == mask_id).sum()
            kept += (enc[mlm] == targets[mlm]).sum()
            randomised += ((enc[mlm] != mask_id) & (enc[mlm] != targets[mlm])).sum()
            real += real_row.sum()
    assert abs(masked / chosen - 0.8) < 0.03 and abs(kept / chosen - 0.1) < 0.03 and abs(randomised / chosen - 0.1) < 0.03


def test_statements_and_code_are_cut_to_the_largest_bucket(codecontests_dev, tokenizer):
    config = DataConfig(batch_size=2, enc_buckets=(16,), dec_buckets=(64,), finetune_mlm=False)
    batch = next(finetune_batches(codecontests_dev[:5], tokenizer, config, seed=0))
    assert batch.bucket == (16, 64) and batch.enc_mask.all() and batch.dec_mask.all()
    for row in range(2):
        statement = tokenizer.decode(batch.enc_tokens[row])
        assert any(p.statement.startswith(statement) for p in codecontests_dev[:5])  # the beginning is kept
        _, _, ends = split_row(batch, row, tokenizer)
        assert not ends  # cut: the last target is the next code token, not EOS


def test_finetune_is_deterministic_and_resumable(problems, tokenizer):
    first = take(finetune_batches(problems, tokenizer, CONFIG, seed=4), 25)
    again = take(finetune_batches(problems, tokenizer, CONFIG, seed=4), 25)
    assert all(same(a, b) for a, b in zip(first, again))
    other = take(finetune_batches(problems, tokenizer, CONFIG, seed=5), 25)
    assert not all(same(a, b) for a, b in zip(first, other))
    for start in (1, 13, 24):
        resumed = take(finetune_batches(problems, tokenizer, CONFIG, seed=4, start_step=start), 25 - start)
        assert all(same(a, b) for a, b in zip(first[start:], resumed)) and len(resumed) == 25 - start


def test_one_epoch_uses_every_example_once(problems, tokenizer):
    batches = list(finetune_batches(problems, tokenizer, CONFIG, seed=2, epochs=1))
    rows = sum(int((b.correct >= 0).sum()) for b in batches)
    assert rows == 2 * len(problems)  # each problem: its solution and one mutant
    padded = [b for b in batches if (b.correct < 0).any()]
    for b in padded:  # the epoch's remainder: empty rows are all-False and marked unknown
        empty = b.correct < 0
        assert not b.enc_mask[empty].any() and not b.dec_mask[empty].any() and not b.dec_loss_mask[empty].any()
    assert len({b.bucket for b in padded}) == len(padded)  # at most one partial batch per bucket pair
    more = list(finetune_batches(problems, tokenizer, CONFIG, seed=2, epochs=2))
    assert sum(int((b.correct >= 0).sum()) for b in more) == 4 * len(problems)


def test_incorrect_solutions_are_used_and_not_mutated(problems, tokenizer):
    right, wrong = Solution("print(41 + 1)\n", "python"), Solution("print(42)\n", "python", correct=False)
    problem = Problem("9Z", "x", statement=problems[0].statement, solutions=[right, wrong])
    batches = list(finetune_batches([problem], tokenizer, DataConfig(batch_size=1, finetune_mlm=False), seed=0, epochs=1))
    rows = sorted((int(b.correct[0]), split_row(b, 0, tokenizer)) for b in batches)
    assert rows == [(0, ("LANGUAGE IS python3\nINCORRECT SOLUTION\n", "print(42)\n", True)),
                    (1, ("LANGUAGE IS python3\nCORRECT SOLUTION\n", "print(41 + 1)\n", True))]


def test_a_program_with_nothing_to_edit_gets_no_mutant(problems, tokenizer):
    problem = Problem("9Y", "x", statement=problems[0].statement, solutions=[Solution("print(input())\n", "python")])
    batches = list(finetune_batches([problem], tokenizer, DataConfig(batch_size=1), seed=0, epochs=3))
    assert [int(b.correct[0]) for b in batches] == [1, 1, 1]


def test_pretrain_rows_are_one_file_cut_at_a_pivot(code_dir, tokenizer):
    files = {p.read_bytes().decode() for p in code_dir.glob("*.py") if p.name != "latin1.py"}
    config = DataConfig(batch_size=4, enc_buckets=(64, 128), dec_buckets=(64, 128))
    crlf_rows = 0
    for batch in take(pretrain_batches([code_dir], tokenizer, config, seed=0), 12):
        check_layout(batch, config)
        assert (batch.correct == -1).all()
        for row in range(4):
            header, after, ends = split_row(batch, row, tokenizer)
            assert header == "LANGUAGE IS python3\n"
            before = tokenizer.decode(batch.mlm_targets[row][batch.enc_mask[row]])
            assert before and after
            text = next(t for t in files if before + after in t)  # contiguous text of one file
            assert not ends or text.endswith(before + after)
            crlf_rows += "\r\n" in before + after
            assert batch.mlm_mask[row].sum() == max(1, round(0.15 * batch.enc_mask[row].sum()))
    assert crlf_rows  # CRLF survives reading and tokenising


def test_pretrain_is_deterministic_and_resumable(code_dir, tokenizer):
    first = take(pretrain_batches([code_dir], tokenizer, CONFIG, seed=9), 20)
    assert all(same(a, b) for a, b in zip(first, take(pretrain_batches([code_dir], tokenizer, CONFIG, seed=9), 20)))
    assert not all(same(a, b) for a, b in zip(first, take(pretrain_batches([code_dir], tokenizer, CONFIG, seed=8), 20)))
    resumed = take(pretrain_batches([code_dir], tokenizer, CONFIG, seed=9, start_step=11), 9)
    assert all(same(a, b) for a, b in zip(first[11:], resumed))
    assert {b.bucket for b in first} <= {(s, t) for s in CONFIG.enc_buckets for t in CONFIG.dec_buckets}
    assert len({b.bucket for b in first}) > 1


def test_pretrain_header_can_be_switched_off(code_dir, tokenizer):
    config = DataConfig(batch_size=2, enc_buckets=(64,), dec_buckets=(64,), pretrain_header=False)
    batch = next(pretrain_batches([code_dir], tokenizer, config, seed=0))
    assert batch.dec_loss_mask[:, 0].all()  # the first target after BOS is already code


def test_corpus_discovery(code_dir):
    found = {f.path.name: f.language for f in find_source_files([code_dir])}
    assert "notes.txt" not in found and found["heapq.py"] == "python" and "latin1.py" in found
    assert find_source_files([code_dir / "notes.txt"])[0].language is None  # named explicitly: kept
    defaults = default_corpus_paths()
    assert Path(sysconfig.get_paths()["stdlib"]) in defaults


def test_bad_input(tmp_path, tokenizer, problems):
    with pytest.raises(DataError, match="no such file or directory"):
        pretrain_batches([tmp_path / "missing"], tokenizer, CONFIG, seed=0)
    with pytest.raises(DataError, match="no source files found"):
        pretrain_batches([tmp_path], tokenizer, CONFIG, seed=0)
    (tmp_path / "empty.py").write_text("   \n")  # found, but nothing to train on
    with pytest.raises(DataError, match="no usable training example"):
        next(pretrain_batches([tmp_path], tokenizer, CONFIG, seed=0))
    with pytest.raises(DataError, match="no problem with a statement and a solution"):
        finetune_batches([Problem("1A", "x", statement="s")], tokenizer, CONFIG, seed=0)
    with pytest.raises(ValueError, match="seed"):
        finetune_batches(problems, tokenizer, CONFIG, seed=-1)


def test_shard_splits_rows(problems, tokenizer):
    batch = next(finetune_batches(problems, tokenizer, CONFIG, seed=0))
    halves = [batch.shard(i, 2) for i in range(2)]
    assert all(h.enc_tokens.shape == (2, batch.bucket[0]) for h in halves)
    assert np.array_equal(np.concatenate([h.dec_inputs for h in halves]), batch.dec_inputs)
    with pytest.raises(ValueError):
        batch.shard(0, 3)


def test_token_cache_keeps_to_its_budget():
    from solver.model.data.examples import TokenCache

    cache = TokenCache(budget=10)
    for key in range(4):
        cache.put(key, np.arange(4, dtype=np.int32))
    assert cache.size == 8 and cache.get(0) is None and cache.get(1) is None  # oldest dropped
    assert cache.get(3).tolist() == [0, 1, 2, 3]
    cache.put(9, np.arange(11, dtype=np.int32))  # larger than the whole budget: not kept
    assert cache.get(9) is None and cache.size == 8


def test_tokenized_cache_gives_the_same_batches(code_dir, tokenizer, tmp_path):
    from solver.model.data.tokenized import TokenizedCorpus

    plain = take(pretrain_batches([code_dir], tokenizer, CONFIG, seed=3), 12)
    calls = []
    cached = take(pretrain_batches([code_dir], tokenizer, CONFIG, seed=3, cache_dir=tmp_path,
                                   progress=lambda done, total: calls.append((done, total))), 12)
    assert all(same(a, b) for a, b in zip(plain, cached))
    assert calls and calls[-1] == (9, 9)  # the 9 .py files (notes.txt is not code)
    folders = [p for p in tmp_path.iterdir()]
    assert len(folders) == 1 and not folders[0].name.startswith(".")
    corpus = TokenizedCorpus(folders[0])
    assert corpus.tokens.dtype == np.uint16 and len(corpus) == 9
    names = [p.name for p in sorted(code_dir.iterdir()) if p.suffix == ".py"]
    assert corpus.count(names.index("latin1.py")) == 0  # unusable files have no tokens
    assert tokenizer.decode(corpus.tokens_of(names.index("heapq.py"))) == (code_dir / "heapq.py").read_text()
    # Reused, not rebuilt; resumable from it.
    calls.clear()
    resumed = take(pretrain_batches([code_dir], tokenizer, CONFIG, seed=3, cache_dir=tmp_path, start_step=7,
                                    progress=lambda done, total: calls.append(done)), 5)
    assert not calls and all(same(a, b) for a, b in zip(plain[7:], resumed))


def test_tokenized_cache_follows_the_files(code_dir, tokenizer, tmp_path):
    copy = tmp_path / "code"
    shutil.copytree(code_dir, copy)
    cache = tmp_path / "cache"
    next(pretrain_batches([copy], tokenizer, CONFIG, seed=0, cache_dir=cache))
    (copy / "this.py").write_text("print('changed')\n" * 40)  # a changed file: a new cache folder
    first = next(pretrain_batches([copy], tokenizer, CONFIG, seed=0, cache_dir=cache))
    assert len(list(cache.iterdir())) == 2
    assert same(first, next(pretrain_batches([copy], tokenizer, CONFIG, seed=0)))
    for folder in cache.iterdir():  # a damaged folder is built again, not trusted
        (folder / "index.json").write_text("{broken")
    assert same(first, next(pretrain_batches([copy], tokenizer, CONFIG, seed=0, cache_dir=cache)))
