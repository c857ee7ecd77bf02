"""`csim judge run SOURCE --problem PATH` (or `csim judge SOURCE ...`): judge one submission;
`csim judge doctor`: the sandbox's layers."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from simulator.cli.common import emit_json, one_line_errors
from simulator.cli.options import json_option, sandbox_option, workers_option


class DefaultToRun(click.Group):
    """A group whose first argument, when it is not a subcommand, is the SOURCE to judge (`csim
    judge SOURCE` is short for `csim judge run SOURCE`); its usage line says so."""

    def format_usage(self, ctx: click.Context, formatter) -> None:
        formatter.write_usage(ctx.command_path, "[run] SOURCE --problem PATH [OPTIONS]")
        formatter.write_usage(ctx.command_path, "doctor [OPTIONS]", prefix="       ")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


def _judge_errors(func):
    """The judge itself could not run (no sandbox, no toolchain): one line, exit status 1."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from judge.sandbox.channel import SandboxDied

        try:
            return func(*args, **kwargs)
        except (SandboxDied, OSError, RuntimeError) as e:
            if isinstance(e, (FileNotFoundError, NotADirectoryError, IsADirectoryError)):
                raise
            click.echo(f"csim: error: the judge could not run: {e}", err=True)
            sys.exit(1)

    return wrapper


@click.group(cls=DefaultToRun)
def judge() -> None:
    """Judge a submission: `csim judge run SOURCE --problem PATH` (`run` may be left out; `csim judge
    run --help` lists its options). `csim judge doctor` checks the sandbox."""


@judge.command("run")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--problem", "problem_path", required=True, type=click.Path(path_type=Path),
              help="A native problem directory or a CodeContests .jsonl file.")
@click.option("--problem-name", help="Which record of a CodeContests file (its `name`).")
@click.option("--lang", "language", help="The source's language id, one of judge.languages (`csim judge doctor` "
                                       "lists them; default: from the file's extension).")
@click.option("--all-tests", is_flag=True, help="Run every test instead of stopping at the first failure.")
@sandbox_option
@workers_option
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep compiled programs here between runs.")
@json_option("the verdict and every test's result")
@one_line_errors
@_judge_errors
def run(source, problem_path, problem_name, language, all_tests, sandbox, workers, cache_dir, as_json):
    """Judge SOURCE on a problem's hidden tests (Codeforces: stop at the first failed test).
    Exits 0 whatever the verdict; non-zero only when the judge itself could not run."""
    from contests.problems import load_problem
    from contests.errors import DataError
    from judge.languages import detect_language, get_language
    from judge.runner import check_limits
    from simulator.components import make_judge

    language = get_language(language).id if language else detect_language(source)
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError(source, None, "not UTF-8 text") from None
    problem = load_problem(problem_path, problem_name)
    try:
        check_limits(problem)
    except DataError as e:  # name the file the limits came from
        raise DataError(problem_path, e.field, e.problem) from None
    if not problem.tests:
        raise DataError(problem_path, "tests", f"problem {problem.id} has no tests to judge on")
    from simulator.cli.common import make_console

    console = make_console(stderr=True)
    started = time.monotonic()
    with make_judge(sandbox, workers, cache_dir=cache_dir) as j:
        with console.status(f"judging {source.name} on {problem.id} ({len(problem.tests)} tests)"):
            result = j.judge(text, language, problem, all_tests=all_tests)
    seconds = time.monotonic() - started
    if as_json:
        from simulator.analysis.details import judgment_json

        emit_json({"problem": problem.id, "name": problem.name, "language": language, "source": str(source),
                   "sandbox": sandbox, "seconds": round(seconds, 3), **judgment_json(result.to_dict())})
        return
    _print_result(problem, language, result, seconds)


def _print_result(problem, language, result, seconds) -> None:
    from simulator.cli.common import make_console
    from rich.table import Table

    console = make_console()
    for note in result.notes:
        console.print(f"note: {note}")
    if result.compile_output and result.verdict.value == "CE":
        console.print(result.compile_output, markup=False)
    table = Table(title=f"{problem.id} {problem.name} [{language}]")
    for col in ("test", "verdict", "CPU s", "wall s", "memory MiB", "exit", "message"):
        table.add_column(col)
    for t in result.tests:
        exit_ = f"signal {t.signal}" if t.signal is not None else ("" if t.exit_code is None else str(t.exit_code))
        table.add_row(str(t.index + 1), t.verdict.value, f"{t.cpu_time:.3f}", f"{t.wall_time:.3f}",
                      f"{t.memory / 2**20:.1f}", exit_, t.message[:80])
    if result.tests:
        console.print(table)
    console.print(f"verdict: {result.verdict.value}  {result.message}  ({seconds:.2f} s)", markup=False)


@judge.command("doctor")
@sandbox_option
@json_option("the layers, toolchains and self-tests")
@one_line_errors
@_judge_errors
def doctor(sandbox, as_json):
    """Report which sandbox layers are active (and why a missing one is missing), the toolchains,
    and judge each language's self-test program (a + b)."""
    from contests.model import Problem, TestCase
    from judge.languages import get_language, language_ids, resolve_tools, toolchain_version
    from simulator.components import make_judge

    toolchains = {}
    for lang in language_ids():
        try:
            toolchains[lang] = {"ok": True, "tools": resolve_tools(lang), "version": toolchain_version(lang)}
        except Exception as e:
            toolchains[lang] = {"ok": False, "error": str(e)}
    problem = Problem("smoke", "a + b", tests=[TestCase("2 3\n", "5\n"), TestCase("-7 10\n", "3\n")])
    smoke = {}
    from judge.sandbox import cgroups

    cgroup = cgroups.describe(cgroups.find_hierarchy())
    with make_judge(sandbox) as j:
        layers = [layer.to_dict() for layer in j.layers]
        for lang in language_ids():
            if not toolchains[lang]["ok"]:
                continue
            started = time.monotonic()
            result = j.judge(get_language(lang).self_test, lang, problem)
            smoke[lang] = {"verdict": result.verdict.value, "message": result.message,
                           "seconds": round(time.monotonic() - started, 3)}
    ok = all(s["verdict"] == "OK" for s in smoke.values()) and len(smoke) == len(toolchains)
    if as_json:
        emit_json({"sandbox": sandbox, "ok": ok, "cgroup": cgroup, "layers": layers, "toolchains": toolchains,
                   "smoke": smoke})
    else:
        from simulator.cli.common import make_console

        console = make_console()
        console.print(f"cgroup version in use: {cgroup}", markup=False)
        for layer in layers:
            mark = "[green]yes[/green]" if layer["active"] else "[red]NO[/red] "
            console.print(f"{mark} {layer['name']:<17} {layer['detail']}")
        for lang, info in toolchains.items():
            what = info["version"] if info["ok"] else info["error"]
            run = smoke.get(lang)
            console.print(f"{lang:<7} {what}" + (f"  -> {run['verdict']} in {run['seconds']:.2f} s" if run else ""),
                          markup=False)
        console.print(f"judge {'works' if ok else 'DOES NOT WORK'} with sandbox {sandbox!r}")
    if not ok:
        sys.exit(1)
