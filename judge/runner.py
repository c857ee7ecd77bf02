"""The judge: compile once, run on tests in parallel sandboxes, check, and decide the verdict.

    with Judge(JudgeConfig()) as judge:
        result = judge.judge(source, "cpp", problem)            # Codeforces: stops at the first failure
        outcomes = judge.execute(source, "python", inputs, time_limit=2, memory_limit=256 << 20)

Each worker owns one long-lived box (see judge/sandbox/box.py); tests of one submission run in
parallel over the workers, except a Python program's on the batch path (JudgeConfig.batch: all its
tests in one box visit, one after another; see Judge._judge_batch), and CPU time (not wall time)
decides TLE, so times stay comparable.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from contests.errors import DataError
from contests.model import Problem, TestCase
from judge.checkers import CheckResult, check_builtin, read_testlib
from judge.compiler import Compiler, Program
from judge.inputs import InputStore
from judge.languages import MIB, get_language, resolve_tools
from judge.sandbox import SANDBOXES
from judge.sandbox.backend import RUN_ATTEMPTS, BoxFile, make_backend, read_file, remove, run_in_box
from judge.sandbox.box import NOBODY, Box, BoxSpec, RawRun, make_box_dir, run_request
from judge.sandbox.layers import Layer, missing
from judge.outcomes import RunOutcome, classify
from judge.sandbox import cgroups
from judge.sandbox.pool import BoxPool
from judge.verdicts import JudgeResult, TestResult, Verdict, decide

log = logging.getLogger("csim.judge")

OUTPUT_LIMIT = 64 * MIB  # Codeforces-like; larger output is OLE
STDERR_KEEP = 4096  # bytes of a run's stderr kept for messages
PIDS_LIMIT = 256  # processes and threads of one run
NOFILE_LIMIT = 256
WALL_FACTOR = 3.0  # wall-clock kill at 3x the time limit (DMOJ), for programs that sleep or block
# ... but a run still computing at that moment is only short of CPU (a loaded machine): it may go on
# to this many times the limit, its CPU time (RLIMIT_CPU = TL + 1 s) ending it in any case.
WALL_MAX_FACTOR = 10.0
CHECKER_TIME = 10.0  # seconds of CPU for a testlib checker
CHECKER_MEMORY = 1024 * MIB
EXECUTE_CACHE_BYTES = 256 * MIB  # outputs kept by execute()'s cache
INPUT_STORE_BYTES = 256 * MIB  # test inputs kept for reuse by later programs (see judge.inputs)
# A batch compiles the source inside the supervisor (no child, no limits of its own): only sources
# as small as Codeforces allows (64 KB) take that path, larger ones the compile box.
BATCH_SOURCE_LIMIT = 64 * 1024
# Without a memory cgroup the limit falls back to RLIMIT_AS: the limit plus room for the runtime's
# own mappings (an interpreter, shared libraries), which cost address space but little memory.
ADDRESS_SPACE_SLACK = 64 * MIB


@dataclass(frozen=True)
class JudgeConfig:
    sandbox: str = "local"  # "local" (bubblewrap + seccomp + cgroups), "docker", or "none" (limits only)
    workers: int | None = None  # None: all cores
    cache_dir: Path | None = None  # compiled artifacts; None: a private temporary directory
    fast_path: bool = True  # Python runs in a forked, pre-started interpreter inside the sandbox
    # ... and judge() runs a Python program's tests one after another in one box visit (the syntax
    # check included); False: each test a request of its own, the tests of one program in parallel.
    batch: bool = True
    output_limit: int = OUTPUT_LIMIT
    pids_limit: int = PIDS_LIMIT
    wall_factor: float = WALL_FACTOR
    docker_url: str | None = None  # Docker engine; None: the environment's (DOCKER_HOST or the default socket)


def _sweep_stale() -> None:
    """Remove what judges that died without closing (killed) left: their private directories and
    cgroups. Their boxes died with them (bubblewrap's --die-with-parent)."""
    for d in Path(tempfile.gettempdir()).glob("csim-*"):
        m = cgroups.STALE.match(d.name)
        if m and d.is_dir() and not Path(f"/proc/{m.group(1)}").exists():
            shutil.rmtree(d, ignore_errors=True)
    cgroups.sweep_stale()


class Judge:
    """Compile-and-run service; a context manager. Thread-safe: judge() and execute() may be called
    from several threads, which then share the workers."""

    def __init__(self, config: JudgeConfig | None = None):
        self.config = config = config or JudgeConfig()
        if config.workers is not None and (isinstance(config.workers, bool) or not isinstance(config.workers, int)
                                           or config.workers < 1):
            raise DataError("<judge>", "workers", f"{config.workers!r} workers; give at least 1")
        if config.sandbox not in SANDBOXES:
            raise DataError("<judge>", "sandbox", f"unknown sandbox {config.sandbox!r}; expected one of {', '.join(SANDBOXES)}")
        self.workers = config.workers or len(os.sched_getaffinity(0))
        self._token = f"csim-{os.getpid()}-{secrets.token_hex(3)}"
        _sweep_stale()
        self._runtime = Path(tempfile.mkdtemp(prefix=f"{self._token}-"))
        self._runtime.chmod(0o711)  # the sandbox uid may pass through, not list
        self._executor: ThreadPoolExecutor | None = None
        self._pools: list[BoxPool] = []
        self._exec_cache: OrderedDict[tuple, RunOutcome] = OrderedDict()
        self._exec_cache_bytes = 0
        self._cache_lock = threading.Lock()
        self._source_dirs: dict[Box, Path] = {}  # see _judge_batch
        try:
            self._setup()
        except BaseException:
            self.close()
            raise

    # ---------------------------------------------------------------- set-up

    def _setup(self) -> None:
        config = self.config
        self._backend = make_backend(config.sandbox, config.docker_url, self._token)
        self._layers = self._backend.layers
        self._drop_uid = self._backend.drop_uid
        if config.sandbox != "none" and (gaps := missing(self._layers)):
            log.warning("judge: sandbox layers missing, running with the rest: %s",
                        "; ".join(f"{g.name} ({g.detail})" for g in gaps))

        # Everything a box binds lives in the private runtime directory, which the sandbox uid can
        # traverse; a persistent cache (config.cache_dir) may be anywhere, artifacts are copied.
        # Checkers are compiled apart: only checker boxes see them, as only they see answers.
        self.artifacts = self._runtime / "artifacts"
        self._checker_artifacts = self._runtime / "checkers"
        self._staging = self._runtime / "staging"
        self._boxes_dir = self._runtime / "boxes"
        inputs = self._runtime / "inputs"  # beside the boxes' directories: hard links reach them
        for d in (self.artifacts, self._checker_artifacts, self._staging, self._boxes_dir, inputs):
            d.mkdir(mode=0o711)
        self._inputs = InputStore(inputs, INPUT_STORE_BYTES, links=self._drop_uid)
        store = None
        if config.cache_dir:
            store = Path(config.cache_dir) / "artifacts"
            try:
                store.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise DataError(config.cache_dir, None, f"cannot use as a cache directory ({e.strerror})") from None

        self._runs = self._pool("run", self._boxes_dir, self.artifacts)
        self._compiles = self._pool("compile", self._staging, None)
        self._checks = self._pool("check", self._boxes_dir, self._checker_artifacts)
        self.compiler = Compiler(self.artifacts, store, self._compiles, config.fast_path, self._drop_uid)
        self._checker_compiler = Compiler(self._checker_artifacts, store, self._compiles, config.fast_path,
                                          self._drop_uid)
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="csim-judge")

    def _pool(self, role: str, parent: Path, programs: Path | None) -> BoxPool:
        """Boxes for ROLE in PARENT. Run and checker boxes see PROGRAMS at /artifacts and may write
        only the files made for them; compile boxes (PROGRAMS None) see no programs and own their
        directory, where each build happens."""
        python = resolve_tools("python")["python3"]
        uid = NOBODY if self._drop_uid else None

        def make(n: int) -> Box:
            name = f"{self._token}-{role}{n}"
            host_dir = make_box_dir(parent, name, uid if programs is None else None)
            binds = ((str(programs), "/artifacts"),) if programs is not None else ()
            spec = BoxSpec(name, host_dir, python, env=dict(get_language("python").run_env), ro_binds=binds, owner=uid)
            return self._backend.box(spec)

        pool = BoxPool(make, self.workers)
        self._pools.append(pool)
        return pool

    @property
    def layers(self) -> list[Layer]:
        """The sandbox layers, active or not, and why each missing one is missing."""
        return list(self._layers)

    def __enter__(self) -> "Judge":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers, close every box (and its cgroups), remove the private directories."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        errors = []
        for pool in self._pools:
            try:
                pool.close()
            except Exception as e:
                errors.append(e)
        self._pools = []
        if getattr(self, "_backend", None) is not None:
            self._backend.close()
            self._backend = None
        shutil.rmtree(self._runtime, ignore_errors=True)
        if errors:
            raise errors[0]

    # ---------------------------------------------------------------- compiling and running

    def compile(self, source: str, language: str) -> Program:
        """Compile (or look up) SOURCE; cached by toolchain version, flags and source."""
        if self._executor is None:
            raise RuntimeError("the judge is closed")
        return self.compiler.compile(source, language)

    def _compile_checker(self, problem: Problem) -> Program:
        if self._executor is None:
            raise RuntimeError("the judge is closed")
        return self._checker_compiler.compile(problem.checker.source or "", problem.checker.language or "cpp")

    def _run(self, program: Program, stdin: str | bytes, time_limit: float, memory_limit: int,
             stopper: "_Stopper | None" = None) -> RunOutcome | None:
        """One run in a free run box; None when STOPPER stopped it (before or during the run)."""
        lang = get_language(program.language)
        limit = self.config.output_limit

        def request(box: Box, paths: dict[str, str]) -> dict:
            req = self._run_request(box, lang, paths, time_limit, memory_limit)
            directory = box.inside(program.directory)
            if self.config.fast_path and lang.python_fast_path():
                req["python"] = f"{directory}/{program.source_name}"
            else:
                req["argv"] = lang.run_argv(resolve_tools(program.language), directory, program.source_name,
                                            memory_limit)
            return req

        files = {"input": BoxFile(stdin.encode() if isinstance(stdin, str) else stdin),
                 "output": BoxFile(writable=True, read=limit + 1), "stderr": BoxFile(writable=True, read=STDERR_KEEP)}
        done = run_in_box(self._runs, files, request, memory_limit + lang.memory_overhead, self.config.pids_limit,
                          stopper)
        if done is None or (stopper is not None and stopper.stopped):
            return None
        return self._outcome(done.raw, done.read["output"], done.read["stderr"], lang, time_limit)

    def _run_request(self, box: Box, lang, paths: dict[str, str], time_limit: float, memory_limit: int) -> dict:
        """A run's request but for what to run (argv or python): streams at PATHS, limits."""
        # RLIMIT_FSIZE one byte over the limit: output of exactly the limit is allowed.
        req = run_request(box.inside_dir, paths["input"], paths["output"], paths["stderr"], time_limit,
                          time_limit * self.config.wall_factor, self.config.output_limit + 1, lang.run_env,
                          nofile=NOFILE_LIMIT, wall_max=time_limit * max(WALL_MAX_FACTOR, self.config.wall_factor))
        controllers = box.cgroup.dirs if box.cgroup is not None else {}
        if "pids" not in controllers:
            req["nproc"] = self.config.pids_limit
        if "memory" not in controllers and lang.address_space_limit:
            req["address_space"] = memory_limit + lang.memory_overhead + ADDRESS_SPACE_SLACK
        return req

    def _outcome(self, raw, stdout: bytes, stderr: bytes, lang, time_limit: float) -> RunOutcome:
        """A run's outcome from what it did and wrote (STDOUT read to one byte past the limit)."""
        limit = self.config.output_limit
        stderr = stderr.decode("utf-8", errors="replace")
        verdict, message = classify(raw, lang, time_limit, len(stdout), limit, stderr)
        return RunOutcome(stdout[:limit].decode("utf-8", errors="replace"), verdict, raw.cpu_time, raw.wall_time,
                          raw.memory, raw.exit_code, raw.signal, message, stderr)

    def execute(self, source: str, language: str, inputs: list[str], *, time_limit: float,
                memory_limit: int) -> list[RunOutcome]:
        """Run SOURCE on each input without checking; outcomes are cached by program and input."""
        program = self.compile(source, language)
        if program.error or not program.ok:
            verdict = Verdict.IE if program.error else Verdict.CE
            return [RunOutcome("", verdict, message=program.error or program.output) for _ in inputs]
        keys = [(program.key, hashlib.sha256(i.encode()).hexdigest(), time_limit, memory_limit) for i in inputs]
        out: list[RunOutcome | None] = []
        with self._cache_lock:
            for k in keys:
                out.append(self._exec_cache.get(k))
                if out[-1] is not None:
                    self._exec_cache.move_to_end(k)
        todo = {n: self._submit(self._run, program, inputs[n], time_limit, memory_limit)
                for n, o in enumerate(out) if o is None}
        for n, future in todo.items():
            out[n] = future.result()
            if out[n].verdict is not Verdict.IE:
                self._remember(keys[n], out[n])
        return out

    def _remember(self, key: tuple, outcome: RunOutcome) -> None:
        with self._cache_lock:
            if key in self._exec_cache:
                return
            self._exec_cache[key] = outcome
            self._exec_cache_bytes += outcome.size
            while self._exec_cache_bytes > EXECUTE_CACHE_BYTES and self._exec_cache:
                _, old = self._exec_cache.popitem(last=False)
                self._exec_cache_bytes -= old.size

    def _submit(self, fn, *args):
        if self._executor is None:
            raise RuntimeError("the judge is closed")
        return self._executor.submit(fn, *args)

    # ---------------------------------------------------------------- judging

    def judge(self, source: str, language: str, problem: Problem, *, all_tests: bool = False,
              tests: list[TestCase] | None = None) -> JudgeResult:
        """Judge SOURCE on the problem's hidden tests (or TESTS), Codeforces-style: stop at the first
        failed test unless ALL_TESTS."""
        tests = problem.tests if tests is None else tests
        check_limits(problem)
        notes = []
        if problem.limits_defaulted:
            notes.append(f"limits defaulted to {problem.time_limit:g} s / {problem.memory_limit // MIB} MB "
                         f"(the problem gives none)")
        notes = tuple(notes)
        if problem.interactive:
            return JudgeResult(Verdict.IE, message="interactive problems are not supported", notes=notes)
        if not tests:
            return JudgeResult(Verdict.IE, message=f"problem {problem.id} has no tests to judge on", notes=notes)
        batch = self._batchable(source, language)
        program = None if batch else self.compile(source, language)
        if program is not None and (failed := _compile_failure(program, notes)):
            return failed
        checker = problem.checker
        checker_program = None
        if checker.kind == "testlib":
            checker_program = self._compile_checker(problem)
            if checker_program.error or not checker_program.ok:
                return JudgeResult(Verdict.IE, compile_output=program.output if program else "", notes=notes,
                                   message=f"the checker does not compile: {checker_program.error or checker_program.output}"[:2000])

        if batch:
            batched = self._judge_batch(source, language, problem, tests, checker_program, all_tests)
            if isinstance(batched, str):
                return JudgeResult(Verdict.CE, compile_output=batched, message="compilation error", notes=notes)
            if batched is not None:
                return _judgement(batched, "", notes)
            program = self.compile(source, language)  # the batch fell back: as if there were none
            if failed := _compile_failure(program, notes):
                return failed

        stopper = _Stopper()
        futures = [self._submit(self._test, n, t, program, problem, checker_program, stopper)
                   for n, t in enumerate(tests)]
        results: list[TestResult] = []
        for future in futures:
            result = future.result()
            results.append(result)
            if result.verdict is not Verdict.OK and not all_tests:
                # Codeforces stops here: later tests are skipped, those under way killed; every
                # earlier one has finished (they were awaited in order).
                stopper.stop()
                for later in futures:
                    later.cancel()
                break
        for future in futures:  # nothing of this judgement goes on after it returns
            if not future.cancelled():
                future.exception()
        return _judgement(results, program.output, notes)

    def _batchable(self, source: str, language: str) -> bool:
        """Whether judge() runs SOURCE's tests in one box visit (see _judge_batch)."""
        lang = get_language(language)
        if not (self.config.batch and self.config.fast_path and lang.python_fast_path()):
            return False
        try:
            return len(source.encode("utf-8")) <= BATCH_SOURCE_LIMIT
        except UnicodeError:  # not savable as UTF-8: the compile box says so, as ever
            return False

    def _judge_batch(self, source: str, language: str, problem: Problem, tests: list[TestCase],
                     checker_program: Program | None, all_tests: bool) -> list[TestResult] | str | None:
        """Judge a Python program on TESTS in one visit to a run box (supervisor.batch): the box
        compiles the source once (the syntax check: its messages are returned, a str, for a CE)
        and runs each test in a fresh fork of its warm interpreter; between two tests the judge
        reads the output, checks it exactly as on the per-run path (_checked), resets the memory
        peak, and stops at the first failure unless ALL_TESTS. Tests run one after another, not
        in parallel: throughput comes from judging several programs at once. A run that ended in
        a judge error is tried again from that test in a fresh box, RUN_ATTEMPTS tries in all.
        None when the box asks for the per-run path (compiling printed warnings)."""
        if self._executor is None:
            raise RuntimeError("the judge is closed")
        lang = get_language(language)
        tl, ml = problem.time_limit, problem.memory_limit
        results: list[TestResult] = []
        end = len(tests)  # becomes the first failure's position + 1: nothing runs past it
        attempts = 0
        while len(results) < end:
            with self._runs.box() as box:
                # Fresh files, removed after use, never emptied for reuse (see Box.new_file). The
                # source goes in a directory of its own, as on the per-run path (a program may import
                # its siblings; read-only to programs), the box's for every batch: removing a
                # directory on ext4 cost ~0.4 ms.
                with self._cache_lock:
                    directory = self._source_dirs.get(box)
                    if directory is None:
                        directory = self._source_dirs[box] = box.fresh_path("source")
                        directory.mkdir(mode=0o755)
                source_file = directory / lang.source_name(source)
                files: dict[str, tuple[str, str]] = {}  # the test under way's: name -> (host path, inside)

                def next_test() -> dict[str, str]:
                    files["stdin"] = box.fresh_name("input")
                    self._inputs.link(tests[len(results)].input.encode(), files["stdin"][0])
                    files["stdout"] = box.new_file("output", writable=True)
                    if "stderr" not in files:  # an empty one is used again (see proceed)
                        files["stderr"] = box.new_file("stderr", writable=True)
                    return {name: inside for name, (_, inside) in files.items()}

                def proceed(raw: RawRun | None) -> dict | None:
                    nonlocal attempts, end
                    stdout = read_file(files["stdout"][0], self.config.output_limit + 1)
                    stderr = read_file(files["stderr"][0], STDERR_KEEP)
                    # Removed before the next run's baseline (their pages are charged to the box);
                    # an empty stderr stays, with the mode it was made with.
                    for name in ("stdin", "stdout", "stderr") if stderr else ("stdin", "stdout"):
                        remove(files.pop(name)[0])
                    if "stderr" in files:
                        os.chmod(files["stderr"][0], 0o644)
                    if raw is None or (raw.error and attempts + 1 < RUN_ATTEMPTS):
                        attempts += 1
                        box.close()  # the next try starts a fresh box, from this test
                        return None
                    attempts = 0
                    index = len(results)
                    results.append(self._checked(index, tests[index], self._outcome(raw, stdout, stderr, lang, tl),
                                                 problem, checker_program))
                    if results[-1].verdict is not Verdict.OK and not all_tests:
                        end = len(results)  # Codeforces stops at the first failure
                    return next_test() if len(results) < end else None

                try:
                    source_file.write_bytes(source.encode("utf-8"))
                    first = next_test()
                    request = self._run_request(box, lang, {"input": first["stdin"], "output": first["stdout"],
                                                            "stderr": first["stderr"]}, tl, ml)
                    request.update(python=box.inside(source_file), test=first)
                    answer = box.run_batch(request, ml + lang.memory_overhead, self.config.pids_limit, proceed)
                finally:
                    for host, _ in (*files.values(), (source_file, None)):
                        remove(host)
                if answer is not None:  # nothing ran
                    return None if answer.get("fallback") else answer["compile_error"].strip()
        return results

    def check(self, problem: Problem, test: TestCase, output: str) -> CheckResult:
        """Check OUTPUT against TEST's answer with the problem's checker."""
        if problem.checker.kind != "testlib":
            return check_builtin(problem.checker, output, test.output)
        checker_program = self._compile_checker(problem)
        if checker_program.error or not checker_program.ok:
            return CheckResult(Verdict.IE, f"the checker does not compile: {checker_program.error or checker_program.output}"[:2000])
        return self._check_testlib(checker_program, test, output)

    def _test(self, index: int, test: TestCase, program: Program, problem: Problem,
              checker_program: Program | None, stopper: "_Stopper | None" = None) -> TestResult | None:
        run = self._run(program, test.input, problem.time_limit, problem.memory_limit, stopper)
        if run is None:
            return None  # the judgement stopped
        return self._checked(index, test, run, problem, checker_program)

    def _checked(self, index: int, test: TestCase, run: RunOutcome, problem: Problem,
                 checker_program: Program | None) -> TestResult:
        """The test's result: the run's verdict, or the checker's when the run was clean."""
        check = None
        if run.verdict is Verdict.OK:
            if checker_program is not None:
                check = self._check_testlib(checker_program, test, run.stdout)
            else:
                check = check_builtin(problem.checker, run.stdout, test.output)
        verdict = run.verdict if check is None else decide(checker=check.verdict)
        message = run.message if check is None else check.message
        return TestResult(index, verdict, run.cpu_time, run.wall_time, run.memory, run.exit_code, run.signal,
                          message, None if check is None else check.points)

    def _check_testlib(self, checker: Program, test: TestCase, output: str) -> CheckResult:
        """Run a testlib checker (`checker input output answer`) in a checker box: answers never
        enter the boxes where submissions run."""
        lang = get_language(checker.language)

        def request(box: Box, paths: dict[str, str]) -> dict:
            argv = lang.run_argv(resolve_tools(checker.language), box.inside(checker.directory), checker.source_name,
                                 CHECKER_MEMORY)
            return run_request(box.inside_dir, "/dev/null", paths["output"], paths["stderr"], CHECKER_TIME,
                               CHECKER_TIME * self.config.wall_factor, self.config.output_limit, lang.run_env,
                               argv=[*argv, paths["input"], paths["contestant"], paths["answer"]])

        files = {"input": BoxFile(test.input.encode()), "contestant": BoxFile(output.encode()),
                 "answer": BoxFile(test.output.encode()), "output": BoxFile(writable=True, read=STDERR_KEEP),
                 "stderr": BoxFile(writable=True, read=STDERR_KEEP)}
        done = run_in_box(self._checks, files, request, CHECKER_MEMORY + lang.memory_overhead, self.config.pids_limit)
        raw = done.raw
        if raw.error:
            return CheckResult(Verdict.IE, f"checker: {raw.error}")
        if raw.timed_out or raw.cpu_limit or raw.oom_killed:
            return CheckResult(Verdict.IE, "checker exceeded its limits")
        return read_testlib(raw.exit_code, raw.signal, (done.read["stderr"] + done.read["output"]).decode(errors="replace"))


def _compile_failure(program: Program, notes: tuple[str, ...]) -> JudgeResult | None:
    """The judgement of a program that did not compile (CE), or could not be compiled (IE); None
    when it compiled."""
    if program.error:
        return JudgeResult(Verdict.IE, compile_output=program.output, message=program.error, notes=notes)
    if not program.ok:
        return JudgeResult(Verdict.CE, compile_output=program.output, message="compilation error", notes=notes)
    return None


def _judgement(results: list[TestResult], compile_output: str, notes: tuple[str, ...]) -> JudgeResult:
    """The judgement from the tests' results: the first failed test decides, in both modes (as
    JudgeResult.failed_test says)."""
    failed = next((r for r in results if r.verdict is not Verdict.OK), None)
    message = f"test {failed.index + 1}: {failed.verdict.value}" + (f" ({failed.message})" if failed.message else "") \
        if failed else f"{len(results)} tests passed"
    return JudgeResult(failed.verdict if failed else Verdict.OK, tuple(results), compile_output=compile_output,
                       message=message, notes=notes)


MAX_TIME_LIMIT = 60.0  # seconds: far beyond any contest's, and the wall-clock kill is 10x this
MIN_MEMORY_LIMIT = 4 * MIB  # less cannot even start an interpreter; Codeforces' smallest is 16 MB
MAX_MEMORY_LIMIT = 64 * 1024 * MIB


def check_limits(problem: Problem) -> None:
    """Refuse limits no run can be judged under (NaN, infinite, negative, absurd), naming the field."""
    import math

    tl, ml = problem.time_limit, problem.memory_limit
    if isinstance(tl, bool) or not isinstance(tl, (int, float)) or not math.isfinite(tl) or not 0 < tl <= MAX_TIME_LIMIT:
        raise DataError(problem.id, "time_limit", f"{tl!r} is not a time limit; give seconds in (0, {MAX_TIME_LIMIT:g}]")
    if isinstance(ml, bool) or not isinstance(ml, int) or not MIN_MEMORY_LIMIT <= ml <= MAX_MEMORY_LIMIT:
        raise DataError(problem.id, "memory_limit", f"{ml!r} is not a memory limit; give bytes in "
                                                    f"[{MIN_MEMORY_LIMIT // MIB} MiB, {MAX_MEMORY_LIMIT // MIB} MiB]")


class _Stopper:
    """Lets a judgement stop at its first failure: tests not begun are skipped, runs under way
    are killed (their results are not wanted), so nothing of it goes on after it returns. The
    guard of Box.run: a box is between begin and end while its request is with the supervisor."""

    def __init__(self):
        self.stopped = False
        self._boxes: set[Box] = set()
        self._lock = threading.Lock()

    def begin(self, box: Box) -> bool:
        with self._lock:
            if not self.stopped:
                self._boxes.add(box)
            return not self.stopped

    def end(self, box: Box) -> None:
        with self._lock:
            self._boxes.discard(box)

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            for box in self._boxes:
                box.abort()
