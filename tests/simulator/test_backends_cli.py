"""Model backends end to end, no network: `csim solver serve` over a real tiny transformers
checkpoint, csim's openai: client against it, the generation cache surviving a killed draw,
`csim replay --solver hf:...` with a contamination cut-off, and `csim samples export`."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner

from backend_servers import ServerThread, canned_app
from contests.errors import DataError
from simulator.cli import main as csim
from solver.backends.base import Prompt, SamplingParams

transformers = pytest.importorskip("transformers")
CSIM = [os.path.join(os.path.dirname(sys.executable), "csim")]  # the installed command, as a user runs it


def invoke(*args: str, home) -> tuple[int, str, str]:
    out = CliRunner().invoke(csim, list(args), env={"CSIM_HOME": str(home)})
    return out.exit_code, out.stdout, out.stderr


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from hf_models import write_causal

    return write_causal(tmp_path_factory.mktemp("tiny"), chat=True)


@pytest.fixture(scope="module")
def served(model_dir):
    """The checkpoint served over the OpenAI API by csim's own server, in this process."""
    from solver.backends.factory import BackendOptions, make_backend
    from solver.backends.serve import make_app

    app = make_app(make_backend(f"hf:{model_dir}", BackendOptions(batch_size=4)), "tiny")
    with ServerThread(app) as server:
        yield server


def generations(db) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM generations").fetchone()[0]
    except sqlite3.OperationalError:  # not migrated yet
        return 0


def sample_args(url: str, db, out, n: int, *extra: str) -> list[str]:
    return ["solver", "sample", "--backend", f"openai:{url}", "--model", "tiny", "--problem",
            "contests/demo/A", "-n", str(n), "--out", str(out), "--db", str(db), "--max-new-tokens", "24",
            "--temperature", "1.0", *extra]


def test_csim_solver_serve_answers_the_openai_api_and_csims_client_samples_from_it(model_dir, tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(CSIM + ["solver", "serve", "--backend", f"hf:{model_dir}", "--port", str(port),
                                      "--name", "tiny"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2) as r:
                    assert json.load(r)["data"][0]["id"] == "tiny"
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "csim solver serve did not come up"
                time.sleep(0.5)
        url = f"http://127.0.0.1:{port}/v1"
        for api in ("chat", "completions"):
            out = tmp_path / f"{api}.jsonl"
            code, stdout, err = invoke(*sample_args(url, tmp_path / "db.sqlite", out, 4, "--api", api, "--json"),
                                       home=tmp_path)
            assert code == 0, err
            summary = json.loads(stdout)
            assert summary["cost"]["requested"] == 4 and summary["cost"]["completion_tokens"] > 0
            assert summary["sampling"]["style"] == ("chat" if api == "chat" else "base")
            # a random model writes no fenced block when chatting: counted, not judged
            assert summary["unextracted"] + summary["with_code"] == 4
            if api == "completions":
                assert summary["with_code"] == 4 and len(out.read_text().splitlines()) == 4
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)


def test_a_killed_draw_resumes_asking_the_server_only_for_the_missing_samples(served, tmp_path):
    n = 24
    db, out = tmp_path / "cache.db", tmp_path / "s.jsonl"
    args = CSIM + sample_args(served.url, db, out, n, "--api", "completions", "--concurrency", "1")
    run = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, "CSIM_HOME": str(tmp_path)})
    deadline = time.monotonic() + 180
    while generations(db) < 5:
        assert run.poll() is None and time.monotonic() < deadline, "the draw ended or stalled before the kill"
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait()
    quiet_since = None  # the request in flight at the kill is still answered by the server: let it finish
    while quiet_since is None or time.monotonic() - quiet_since < 1.0:
        busy = served.app.state.active > 0
        quiet_since = None if busy else (quiet_since or time.monotonic())
        time.sleep(0.05)
    cached = generations(db)
    assert 5 <= cached < n and not out.exists()
    before = served.app.state.requests
    subprocess.run(args, check=True, capture_output=True, env={**os.environ, "CSIM_HOME": str(tmp_path)})
    assert served.app.state.requests - before == n - cached
    assert generations(db) == n
    # ... and the samples are those of one uninterrupted draw (each sample's seed decides it)
    whole = tmp_path / "whole.jsonl"
    code, _, err = invoke(*sample_args(served.url, tmp_path / "other.db", whole, n, "--api", "completions"),
                          home=tmp_path)
    assert code == 0, err
    assert out.read_text() == whole.read_text()


def test_the_client_retries_429_and_5xx_and_reports_a_refusal_in_one_line(tmp_path):
    from solver.backends.openai import OpenAIBackend, ServerRefused

    prompt, params = Prompt("base", text="x"), SamplingParams(max_new_tokens=4)
    with ServerThread(canned_app()) as server:
        base = f"http://127.0.0.1:{server.port}"
        got = {}
        flaky = OpenAIBackend(f"{base}/flaky/v1", "canned", api="completions", backoff=0.01, retries=3)
        flaky.generate(prompt, params, [1], lambda i, g: got.__setitem__(i, g))
        assert got[0].text == "print(2 * int(input()))\n" and got[0].completion_tokens == 7
        assert server.app.state.calls["flaky"] == 3 and flaky.attempts == 3

        down = OpenAIBackend(f"{base}/down/v1", "canned", api="completions", backoff=0.01, retries=2)
        with pytest.raises(ServerRefused, match="answered HTTP 503 3 times: no replica available"):
            down.generate(prompt, params, [1], lambda i, g: None)
        assert server.app.state.calls["down"] == 3

        slow = OpenAIBackend(f"{base}/slow/v1", "canned", api="completions", backoff=0.01, retries=1, timeout=0.3)
        with pytest.raises(ServerRefused, match="no answer within 0.3 s, 2 times"):
            slow.generate(prompt, params, [1], lambda i, g: None)

        bad = OpenAIBackend(f"{base}/bad/v1", "canned", api="completions", backoff=0.01)
        with pytest.raises(ServerRefused) as refused:
            bad.generate(prompt, params, [1, 2, 3], lambda i, g: None)
        assert "\n" not in str(refused.value)
        assert "refused (HTTP 400): max_tokens is too large: 999999 > 4096" in str(refused.value)

        code, _, err = invoke("solver", "sample", "--backend", f"openai:{base}/bad/v1", "--model", "canned",
                              "--api", "completions", "--problem", "contests/demo/A", "-n", "2", "--out",
                              str(tmp_path / "o.jsonl"), "--db", str(tmp_path / "db.sqlite"), home=tmp_path)
        (line,) = [x for x in err.splitlines() if x.strip()]
        assert code == 2 and line.startswith("csim: error: ") and "max_tokens is too large: 999999" in line


def test_the_api_key_comes_from_the_named_environment_variable(monkeypatch):
    from solver.backends.openai import OpenAIBackend

    monkeypatch.delenv("CSIM_TEST_KEY", raising=False)
    with pytest.raises(DataError, match="CSIM_TEST_KEY is not set"):
        OpenAIBackend("http://127.0.0.1:1/v1", "m", api_key_env="CSIM_TEST_KEY")
    monkeypatch.setenv("CSIM_TEST_KEY", "sk-test")
    assert OpenAIBackend("http://127.0.0.1:1/v1", "m", api_key_env="CSIM_TEST_KEY").api_key == "sk-test"
    with pytest.raises(DataError, match="--model NAME"):
        OpenAIBackend("http://127.0.0.1:1/v1", "")


@pytest.mark.slow
def test_replay_with_an_hf_checkpoint_under_a_cutoff_then_export_its_samples(model_dir, tmp_path):
    db = str(tmp_path / "r.db")
    common = ["replay", "--contest", "demo", "--solver", f"hf:{model_dir}", "--samples", "3", "--max-new-tokens",
              "16", "--prompt-style", "base", "--db", db, "--json"]
    code, _, err = invoke(*common, "--model-cutoff", "2025-01-01", home=tmp_path)
    assert code == 2 and "1 of 1 contests started before the model's training cut-off 2025-01-01" in err
    assert not (tmp_path / "r.db").exists() or generations(tmp_path / "r.db") == 0  # refused before sampling

    code, out, err = invoke(*common, "--model-cutoff", "2025-01-01", "--allow-contaminated", home=tmp_path)
    assert code == 0, err
    (report,) = json.loads(out)
    assert report["contests"][0]["contaminated"] and report["summary"]["contaminated"]
    assert any("training cut-off (2025-01-01)" in n for n in report["notes"])
    assert report["run"]["solver"]["name"] == "hf"
    cost = report["summary"]["sampling_cost"]
    assert (cost["drawn"], cost["requested"]) == (15, 15) and cost["completion_tokens"] > 0
    assert all(p["stats"]["drawn"] == 3 for p in report["problems"])

    # A run before the cut-off is clean; the same draw again costs nothing: every sample is cached.
    code, out, err = invoke(*common, "--model-cutoff", "2024-01-01", home=tmp_path)
    assert code == 0, err
    (again,) = json.loads(out)
    assert not again["contests"][0]["contaminated"] and again["summary"]["sampling_cost"]["requested"] == 0

    exported = tmp_path / "export.jsonl"
    code, out, err = invoke("samples", "export", str(report["run"]["id"]), "--out", str(exported), "--db", db,
                            "--json", home=tmp_path)
    assert code == 0, err
    lines = [json.loads(x) for x in exported.read_text().splitlines()]
    summary = json.loads(out)
    assert summary["samples"] == 15 and len(lines) == summary["written"] == 15 - summary["unextracted"]
    assert {x["problem"] for x in lines} == {f"demo-{i}" for i in "ABCDE"}
