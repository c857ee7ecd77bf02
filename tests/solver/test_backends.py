"""Model backends without a network: prompts, code extraction, and hf: against real tiny
transformers checkpoints written by the test (random weights, a tokenizer trained here)."""

from __future__ import annotations

import pytest

from contests.errors import DataError
from contests.model import Problem, TestCase
from solver.backends.base import MemoryCache, Prompt, SamplingParams
from solver.backends.draw import DrawSettings, draw_samples
from solver.backends.extract import extract_code
from solver.backends.prompts import PromptTemplates, build_prompt

PROBLEM = Problem(id="1A", name="Double", statement="You are given an integer n. Print 2n.",
                  examples=[TestCase("3\n", "6\n")], rating=800, tags=["math", "implementation"])


# ------------------------------------------------------------------ extraction

def test_the_last_block_in_the_asked_language_is_taken_and_prose_dropped():
    text = ("Here is a first try:\n```python\nprint(1)\n```\nIn C++ it reads:\n```cpp\nint main(){}\n```\n"
            "Better:\n```Python3\nprint(int(input()) * 2)\n```\nThis runs in O(1).")
    got = extract_code(text, "python", "chat")
    assert got.source == "print(int(input()) * 2)\n"
    assert got.how == "fenced python block"
    assert extract_code(text, "cpp", "chat").source == "int main(){}\n"


def test_a_block_without_a_language_is_taken_when_none_names_the_asked_one():
    got = extract_code("Solution:\n```\nprint(2)\n```\n", "python", "chat")
    assert (got.source, got.how) == ("print(2)\n", "fenced block without a language")


@pytest.mark.parametrize("text, how", [
    ("I think the answer is to double n.", "no code block"),
    ("```java\nclass A {}\n```", "code only in another language (java)"),
    ("Here:\n```python\nprint(int(input()) *", "code block left open (answer cut short?)"),
    ("   ", "empty answer"),
])
def test_what_holds_no_code_says_why(text, how):
    got = extract_code(text, "python", "chat")
    assert got.source is None and got.how == how


def test_a_base_completion_is_the_program_itself():
    got = extract_code("n = int(input())\nprint(2 * n)\n\n\n", "python", "base")
    assert (got.source, got.how) == ("n = int(input())\nprint(2 * n)\n", "raw completion")


# ------------------------------------------------------------------ prompts

def test_the_base_prompt_is_the_statement_then_alphacodes_header_without_rating_or_tags_by_default():
    text = build_prompt(PROBLEM, "python", "base").text
    assert text == "You are given an integer n. Print 2n.\n\nLANGUAGE IS python3\nCORRECT SOLUTION\n"
    oracle = build_prompt(PROBLEM, "cpp", "base", headers="problem").text
    assert "RATING: 800\nTAGS: implementation,math\nLANGUAGE IS cpp\nCORRECT SOLUTION\n" in oracle


def test_the_chat_prompt_has_a_system_and_a_user_message_asking_for_one_block_in_the_language():
    prompt = build_prompt(PROBLEM, "cpp", "chat")
    (role_1, system), (role_2, user) = prompt.messages
    assert (role_1, role_2) == ("system", "user")
    assert "C++17" in user and "```cpp" in user and PROBLEM.statement in user
    assert "800" not in user and "math" not in user  # no oracle unless asked
    assert "Difficulty rating: 800." in build_prompt(PROBLEM, "cpp", "chat", headers="problem").messages[1][1]


def test_a_prompt_file_replaces_the_template_and_must_hold_the_statement(tmp_path):
    f = tmp_path / "p.txt"
    f.write_text("# $language_title\n$statement\n# solution:\n")
    templates = PromptTemplates.default().with_prompt_file(f, "base")
    assert build_prompt(PROBLEM, "python", "base", templates=templates).text == (
        "# Python 3\nYou are given an integer n. Print 2n.\n# solution:\n")
    f.write_text("no statement here")
    with pytest.raises(DataError, match="must contain \\$statement"):
        PromptTemplates.default().with_prompt_file(f, "base")
    f.write_text("$statement $nonsense")
    with pytest.raises(DataError, match="bad prompt template placeholder"):
        build_prompt(PROBLEM, "python", "base", templates=PromptTemplates.default().with_prompt_file(f, "base"))


# ------------------------------------------------------------------ hf: on real tiny checkpoints

@pytest.fixture(scope="module")
def causal_dir(tmp_path_factory):
    pytest.importorskip("transformers")
    from hf_models import write_causal

    return write_causal(tmp_path_factory.mktemp("gpt2"), chat=True)


@pytest.fixture(scope="module")
def causal(causal_dir):
    from solver.backends.hf import HFBackend

    return HFBackend(causal_dir, batch_size=3)


def _generate(backend, seeds, params=SamplingParams(temperature=1.0, top_p=0.9, top_k=50, max_new_tokens=12),
              prompt=Prompt("base", text="You are given n")):
    out = {}
    backend.generate(prompt, params, seeds, lambda i, g: out.__setitem__(i, g))
    return [out[i] for i in range(len(seeds))]


def test_hf_sampling_is_fixed_by_each_samples_seed_whatever_its_batch(causal):
    first = _generate(causal, [11, 12, 13, 14, 15])
    again = _generate(causal, [11, 12, 13, 14, 15])
    assert [g.text for g in first] == [g.text for g in again]
    alone = _generate(causal, [14, 12])  # other batches, other order
    assert [g.text for g in alone] == [first[3].text, first[1].text]
    assert len({g.text for g in first}) > 1  # the seeds differ, so do the samples
    assert all(g.completion_tokens == 12 and g.finish_reason == "length" and g.prompt_tokens > 0 for g in first)


def test_hf_greedy_ignores_the_seed(causal):
    params = SamplingParams(temperature=0.0, top_p=None, max_new_tokens=8)
    a, b = _generate(causal, [1, 2], params)
    assert a.text == b.text


def test_hf_chat_prompts_go_through_the_tokenizers_chat_template(causal):
    prompt = build_prompt(PROBLEM, "python", "chat")
    text = causal.render(prompt)
    assert text.startswith("<|system|>\n") and text.endswith("<|assistant|>\n") and PROBLEM.statement in text
    assert causal.default_style == "chat"


def test_hf_encoder_decoder_checkpoints_sample_too(tmp_path):
    pytest.importorskip("transformers")
    from hf_models import write_seq2seq

    from solver.backends.hf import HFBackend

    backend = HFBackend(write_seq2seq(tmp_path / "t5"), batch_size=2)
    assert backend.seq2seq and backend.default_style == "base"
    first = _generate(backend, [5, 6, 7])
    assert [g.text for g in first] == [g.text for g in _generate(backend, [5, 6, 7])]
    assert first[2].text == _generate(backend, [7])[0].text


def test_hf_never_downloads_a_hub_name_is_a_one_line_error(tmp_path):
    from solver.backends.hf import HFBackend

    with pytest.raises(DataError, match="not a local checkpoint directory; csim never downloads"):
        HFBackend("bigcode/starcoder2-3b")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no config.json"):
        HFBackend(tmp_path / "empty")


def test_the_checkpoint_digest_changes_with_the_weights(causal_dir, tmp_path):
    from hf_models import write_causal

    from solver.backends.hf import checkpoint_digest

    other = write_causal(tmp_path / "other", chat=True, seed=1)
    assert checkpoint_digest(causal_dir) != checkpoint_digest(other)
    assert checkpoint_digest(causal_dir) == checkpoint_digest(causal_dir)


class CountingBackend:
    """The real backend, with the seeds it was asked for written down."""

    def __init__(self, inner):
        self.inner, self.asked = inner, []
        self.kind, self.model, self.default_style = inner.kind, inner.model, inner.default_style

    def generate(self, prompt, params, seeds, on_done):
        self.asked += list(seeds)
        self.inner.generate(prompt, params, seeds, on_done)


def test_a_larger_draw_extends_the_cached_one_asking_only_for_the_new_samples(causal):
    backend, cache = CountingBackend(causal), MemoryCache()
    settings = DrawSettings(SamplingParams(max_new_tokens=10), ("python", "cpp"), "base")
    small = draw_samples(backend, PROBLEM, 4, 7, settings, cache)
    assert len(backend.asked) == 4 and small.cost.requested == 4
    big = draw_samples(backend, PROBLEM, 7, 7, settings, cache)
    assert len(backend.asked) == 7 and (big.cost.requested, big.cost.cached) == (3, 4)
    assert [s.generation.text for s in big.samples[:4]] == [s.generation.text for s in small.samples]
    assert [s.language for s in big.samples] == ["python", "cpp"] * 3 + ["python"]
    fresh = draw_samples(causal, PROBLEM, 7, 7, settings, MemoryCache())  # the same as one uninterrupted draw
    assert [s.generation.text for s in fresh.samples] == [s.generation.text for s in big.samples]
