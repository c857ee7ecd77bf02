"""The SentencePiece tokenizer: exact round trip of real and nasty text, special ids, determinism,
the `csim solver tokenizer` command."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from contests.errors import DataError
from simulator.cli import main
from solver.model.data.corpus import problem_documents
from solver.model.tokenizer import SENTENCE_BYTES, Tokenizer, TokenizerConfig, build_tokenizer, load_tokenizer_config, sentences

NASTY = [
    "",
    "x",
    "    indented\n\tand\ttabbed\t\n",
    "windows\r\nline\r\nends\r\n",
    "old mac\rends\r",
    "trailing spaces   \nand tabs\t\t\n   \n",
    "   leading spaces",
    " ",
    "\n\n\n",
    "unicode: é ß Ω 中文 日本語 한국어 😀🚀 e\u0301 \u200b zero-width",
    "the space stand-in \u2581 alone, doubled \u2581\u2581, at the end\u2581",
    "\u2581leading stand-in",
    "specials are text: <mask> <s> </s> <pad> <unk>",
    "control chars \x00\x01\x07\x1b[0m \x7f and BOM \ufeff and nbsp \u00a0 and ideographic space \u3000",
    "private use \ue000 and astral \U0001f600 \U00010348",
    "a" * 20000,
    "x = 1;" * 3000 + "\n",
    "#include <bits/stdc++.h>\nint main(){for(int i=0;i<10;++i)printf(\"%d\\n\",i);}\n",
    "s = '''\n  multi\n\tline\n'''  \n",
]


@pytest.fixture(scope="module")
def dev_texts(codecontests_dev):
    return [d.text for p in codecontests_dev for d in problem_documents(p)]


@pytest.fixture(scope="module")
def tokenizer(dev_texts, tmp_path_factory):
    prefix = tmp_path_factory.mktemp("tok") / "tiny"
    Tokenizer.train(dev_texts, prefix, vocab_size=600, seed=1)
    return Tokenizer.load(f"{prefix}.model")


def test_round_trip_of_every_real_statement_and_solution(tokenizer, dev_texts):
    assert len(dev_texts) == 488  # 244 statements + 244 solutions
    for text in dev_texts:
        ids = tokenizer.encode(text)
        assert tokenizer.decode(ids) == text
        assert all(0 <= i < tokenizer.vocab_size for i in ids)


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_round_trip_of_nasty_text(tokenizer, text):
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids) == text
    assert tokenizer.mask_id not in ids and tokenizer.unk_id not in ids


def test_encode_many_matches_encode(tokenizer):
    assert tokenizer.encode_many(NASTY) == [tokenizer.encode(t) for t in NASTY]
    assert tokenizer.encode_many(NASTY[:3]) == [tokenizer.encode(t) for t in NASTY[:3]]


def test_code_compresses(tokenizer, dev_texts):
    code = "".join(dev_texts[1::2])
    ratio = len(tokenizer.encode(code)) / len(code.encode("utf-8"))
    assert 0.15 < ratio < 0.6, ratio  # far fewer tokens than bytes, even with 600 pieces
    assert any(tokenizer.piece(i) == "▁▁▁▁" for i in range(tokenizer.vocab_size))  # indentation pieces
    for char in "\t\r\n":  # pieces of their own, not byte fallback (the dev data has no tabs or CRs)
        ids = tokenizer.encode(char)
        assert len(ids) == 1 and tokenizer.piece(ids[0]) == char


def test_special_ids(tokenizer):
    assert (tokenizer.pad_id, tokenizer.bos_id, tokenizer.eos_id) == (0, 2, 3)
    assert tokenizer.mask_id not in (0, 1, 2, 3) and tokenizer.piece(tokenizer.mask_id) == "<mask>"
    assert tokenizer.vocab_size == 600
    specials = [tokenizer.pad_id, tokenizer.bos_id, tokenizer.eos_id, tokenizer.mask_id]
    text = "print(1)\n"
    assert tokenizer.decode(specials + tokenizer.encode(text) + specials) == text  # specials spell nothing
    regular = set(tokenizer.regular_ids.tolist())
    assert not regular & {0, 1, 2, 3, tokenizer.mask_id} and len(regular) == tokenizer.vocab_size - 5


def test_training_is_deterministic(dev_texts, tokenizer):
    again = Tokenizer.train(dev_texts, None, vocab_size=600, seed=1)
    assert again.model_proto == tokenizer.model_proto and again.digest == tokenizer.digest
    other = Tokenizer.train(dev_texts[:100], None, vocab_size=600, seed=1)
    assert other.model_proto != tokenizer.model_proto


def test_unigram_also_round_trips(dev_texts):
    unigram = Tokenizer.train(dev_texts[:200], None, vocab_size=500, model_type="unigram")
    for text in NASTY + dev_texts[:20]:
        assert unigram.decode(unigram.encode(text)) == text


def test_sentences_keep_whole_lines_and_the_cap():
    text = "".join(f"line {i}\n" for i in range(2000))
    chunks = list(sentences([text]))
    assert "".join(chunks) == text and all(len(c.encode()) <= SENTENCE_BYTES for c in chunks)
    assert all(c.endswith("\n") for c in chunks)
    assert "".join(sentences(["é" * 5000])) == "é" * 5000  # a line longer than a sentence is cut
    capped = list(sentences([text, text], max_bytes=5000))
    assert 5000 <= sum(len(c) for c in capped) < 5000 + SENTENCE_BYTES


def test_load_errors_name_the_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        Tokenizer.load(tmp_path / "missing.model")
    bad = tmp_path / "bad.model"
    bad.write_bytes(b"not a model at all")
    with pytest.raises(DataError) as e:
        Tokenizer.load(bad)
    assert str(bad) in str(e.value) and "\n" not in str(e.value)


def test_load_from_a_run_directory(tokenizer, tmp_path):
    tokenizer.save(tmp_path / "tokenizer.model")
    assert Tokenizer.load(tmp_path).model_proto == tokenizer.model_proto


def test_config_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"tokenizer": {"vocab_size": 700, "sources": ["a", "b"]}, "model": {}}))
    config = load_tokenizer_config(path)
    assert config.vocab_size == 700 and config.sources == ("a", "b") and config.model_type == "bpe"
    assert config.with_overrides(vocab_size=None, seed=5) == TokenizerConfig(vocab_size=700, sources=("a", "b"), seed=5)
    path.write_text(json.dumps({"vocab_sise": 700}))
    with pytest.raises(DataError, match="vocab_sise: unknown setting"):
        load_tokenizer_config(path)
    path.write_text(json.dumps({"vocab_size": "700"}))
    with pytest.raises(DataError, match="vocab_size: expected int"):
        load_tokenizer_config(path)


def test_build_holds_out_whole_documents(shared_data, tmp_path):
    config = TokenizerConfig(vocab_size=500, heldout_bytes=50_000, max_bytes=400_000,
                             codecontests=(str(shared_data / "codecontests" / "dev.jsonl"),))
    stats = build_tokenizer(config, tmp_path)
    assert stats["pieces"] == 500 and not stats["heldout_is_training_text"]
    assert 50_000 <= stats["heldout_bytes"] < 80_000
    assert 400_000 <= stats["training_bytes"] < 430_000  # whole documents up to the cap
    assert set(stats["tokens_per_byte_by_kind"]) <= {"python", "statement"}
    assert Tokenizer.load(tmp_path / "tokenizer.model").digest == stats["digest"]
    assert build_tokenizer(config, tmp_path / "again")["digest"] == stats["digest"]


def test_cli_trains_and_reports(shared_data, tmp_path):
    out = tmp_path / "tok"
    result = CliRunner().invoke(main, ["solver", "tokenizer", "--out", str(out), "--vocab-size", "500",
                                       "--codecontests", str(shared_data / "codecontests" / "dev.jsonl"), "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["pieces"] == 500 and (out / "tokenizer.model").is_file()
    assert 0.1 < stats["tokens_per_byte"] < 0.7
    assert stats["heldout_tokens"] == pytest.approx(stats["tokens_per_byte"] * stats["heldout_bytes"], rel=1e-3)
    text = CliRunner().invoke(main, ["solver", "tokenizer", "--out", str(out), "--vocab-size", "500", "--sources",
                                     str(shared_data / "codecontests")])  # no code files there
    assert text.exit_code == 2 and "no training text found" in text.output


def test_cli_bad_config_is_one_line(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text("{nope")
    result = CliRunner().invoke(main, ["solver", "tokenizer", "--out", str(tmp_path / "o"), "--config", str(bad)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and str(bad) in result.output and "not valid JSON" in result.output
