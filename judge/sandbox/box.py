"""A box: one long-lived sandbox with its supervisor, reused run after run by one worker.

The local box is bubblewrap (when available) started once as an unprivileged uid, with every
namespace unshared, no network, the system directories bound read-only, a private /tmp, /proc
and /dev, and only its own directory bound at /box. The supervisor inside is PID 1 of the box.
The box's processes live in the worker's cgroup, joined before bubblewrap starts.

A run: the judge resets the cgroup counters, sends the request, and reads back what the
supervisor saw (exit status, CPU from wait4, wall time), then the cgroup's memory peak, OOM kills
and CPU. A batch (run_batch) is several runs of one Python program in one request, the counters
reset before each. If the supervisor dies or stops answering, the box is restarted and the run is reported
as a judge error (which run_in_box tries again in a fresh box). A box whose run left something
behind that a fresh box would not have (see supervisor._clean_up) is closed after that run and
started afresh for the next: boxes are reused only while they are as good as new.
"""

from __future__ import annotations

import base64
import logging
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import Future
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from judge.sandbox.cgroups import WorkerCgroup
from judge.sandbox.channel import Channel, SandboxDied
from judge.sandbox.supervisor import _empty as empty_directory
from judge.sandbox.supervisor import batch_over

log = logging.getLogger("csim.judge")

NOBODY = 65534
PAGE = os.sysconf("SC_PAGE_SIZE")
BOX = "/box"  # the box directory, seen from inside
# Read-only system directories and files a compiler or runtime needs; nothing else of the host.
SYSTEM_DIRS = ("/usr",)
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
              "/etc/java-17-openjdk", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf")
SCRATCH = ("/tmp", "/dev/shm")  # emptied by the supervisor after every run
SUPERVISOR_START_TIMEOUT = 60.0  # seconds; a cold machine can be slow to start the first box
ANSWER_GRACE = 30.0  # seconds beyond a run's wall limit before the judge gives up on the supervisor


BASE_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp"}  # what every program starts with


def run_request(cwd: str, stdin: str, stdout: str, stderr: str, time_limit: float, wall: float, fsize: int,
                env: dict[str, str], **extra) -> dict:
    """A supervisor request (see supervisor.run): paths inside the box; RLIMIT_CPU is the time
    limit plus a second; EXTRA is argv=[...] or python=path, and optional limits."""
    return {"cwd": cwd, "stdin": stdin, "stdout": stdout, "stderr": stderr, "cpu": int(time_limit) + 1,
            "time_limit": time_limit, "wall": wall, "fsize": fsize, "env": {**BASE_ENV, **env}, **extra}


def supervisor_source() -> str:
    return resources.files("judge.sandbox").joinpath("supervisor.py").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Isolation:
    """The layers a local box uses, decided once per judge from what the machine offers."""

    bwrap: str | None = None  # bubblewrap's path, when namespaces are used
    setpriv: str | None = None  # setpriv's path, when dropping from root to an unprivileged uid
    seccomp: bytes | None = None  # the BPF filter the supervisor loads
    controllers: tuple[str, ...] = ()  # cgroup controllers to use
    subreaper: bool = False


@dataclass(frozen=True)
class BoxSpec:
    name: str  # unique on the machine: csim-<judge pid>-<role><n>
    host_dir: Path  # the box's own directory on the host
    python: str  # the interpreter that runs the supervisor (and Python submissions on the fast path)
    env: dict[str, str] = field(default_factory=dict)
    ro_binds: tuple[tuple[str, str], ...] = ()  # (host path, path inside)
    owner: int | None = None  # the uid programs run as, to own the files they may write (None: ours)


@dataclass(frozen=True)
class RawRun:
    """What one run did, before any verdict."""

    exit_code: int | None = None
    signal: int | None = None
    cpu_time: float = 0.0  # wait4: user + system of the run and the children it waited for
    wall_time: float = 0.0
    timed_out: bool = False  # killed at the wall-clock limit
    cpu_limit: bool = False  # killed as its CPU time passed the time limit
    output_limit: bool = False  # killed because its output reached the limit
    memory: int = 0  # peak bytes above the box's idle baseline (cgroup), 0 when unmeasured
    oom_killed: bool = False
    cgroup_cpu: float = 0.0  # CPU of everything in the box during the run, detached children too
    error: str | None = None  # the judge's or the sandbox's own failure


class Box:
    """A started sandbox and its supervisor. Not thread-safe: one worker owns it."""

    def __init__(self, spec: BoxSpec):
        self.spec = spec
        self.cgroup: WorkerCgroup | None = None
        self.channel: Channel | None = None
        self._serial = 0
        self._requests = 0  # ids of run requests, growing for the box's whole life
        self._current: int | None = None  # the id of the latest request, for abort()
        self._send_lock = threading.Lock()  # abort() writes from another thread
        self.recycled = 0  # times this box was replaced because a run left something behind

    # -- paths: where a host path appears inside the box
    @property
    def inside_dir(self) -> str:
        raise NotImplementedError

    def inside(self, host_path: Path | str) -> str:
        host_path = str(host_path)
        for host, inside in ((str(self.spec.host_dir), self.inside_dir), *self.spec.ro_binds):
            if host_path == host or host_path.startswith(host + "/"):
                return inside + host_path[len(host):]
        raise ValueError(f"{host_path} is not visible inside box {self.spec.name}")

    @property
    def scratch(self) -> list[str]:
        return list(SCRATCH)

    def fresh_name(self, stem: str) -> tuple[str, str]:
        """A name in the box's directory not used before: (host path, path inside). Strings: a
        batch makes a few per test, and a Path costs more than the file."""
        self._serial += 1
        name = f"/{stem}.{self._serial}"
        return str(self.spec.host_dir) + name, self.inside_dir + name

    def fresh_path(self, stem: str) -> Path:
        """A name in the box's directory not used before (see new_file)."""
        return Path(self.fresh_name(stem)[0])

    def new_file(self, stem: str, data: bytes = b"", writable: bool = False) -> tuple[str, str]:
        """A fresh file in the box (host path, path inside), with DATA; WRITABLE: by the programs.
        Fresh files, unlinked after use, because truncating a file on ext4 whose blocks were
        allocated waits for its data to be written out (~0.5 ms here; a close after an earlier
        truncation allocates them, auto_da_alloc), and creating one costs ~16 us."""
        host, inside = self.fresh_name(stem)
        fd = os.open(host, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if writable and self.spec.owner is not None:
                os.fchown(fd, self.spec.owner, self.spec.owner)
        finally:
            os.close(fd)
        return host, inside

    def start(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _handshake(self, seccomp: bytes | None, subreaper: bool) -> dict:
        self.channel.send({"seccomp": base64.b64encode(seccomp).decode() if seccomp else None,
                           "subreaper": subreaper, "scratch": self.scratch})
        hello = self.channel.recv(SUPERVISOR_START_TIMEOUT)
        if not hello.get("ready"):
            raise SandboxDied(f"the supervisor did not start: {hello}")
        return hello

    def run(self, request: dict, memory_limit: int | None, pids_limit: int | None, guard=None) -> RawRun | None:
        """Run REQUEST (see supervisor.run) with the box's cgroup limited to MEMORY_LIMIT bytes
        above its idle baseline and PIDS_LIMIT processes for the run. GUARD, if given, may call
        off the run: guard.begin(box) just before the request is sent (False: not sent, None is
        returned); guard.end(box) once it is answered; in between, guard may call abort(), and run
        returns None too."""
        for attempt in (1, 2):
            started = False
            try:
                if self.channel is None or not self.alive():
                    self.close()
                    self.start()
                baseline, oom_before = self._reset(memory_limit, pids_limit)
                self._requests += 1
                self._current = self._requests
                request = {**request, "id": self._current}
                if guard is not None and not guard.begin(self):
                    return None
                try:
                    with self._send_lock:
                        self.channel.send(request)
                    started = True
                    answer = self.channel.recv(float(request.get("wall_max") or request["wall"]) + ANSWER_GRACE)
                finally:
                    if guard is not None:
                        guard.end(self)
                break
            except (SandboxDied, OSError) as e:
                detail = self._death_detail()
                self.close()
                # A box found dead before the run began is restarted and the run tried again; one
                # that dies during a run is the judge's fault for that run (IE), never the program's.
                if started or attempt == 2:
                    return RawRun(error=f"sandbox failure: {e}{detail}")
        return self._finish(answer, baseline, oom_before)

    def _finish(self, answer: dict, baseline: int, oom_before: int) -> RawRun | None:
        """A run's RawRun from the supervisor's ANSWER (see _result). A run that left what a fresh
        box would not have (files its clean-up could not remove, IPC objects) gets the box
        replaced before its next run, never reused."""
        if answer.get("dirty"):
            self.recycled += 1
            log.info("box %s replaced: %s", self.spec.name, answer["dirty"])
        result = self._result(answer, baseline, oom_before)
        if answer.get("dirty"):
            self.close()
        return result

    def run_batch(self, request: dict, memory_limit: int | None, pids_limit: int | None,
                  proceed: Callable[[RawRun | None], dict | None]) -> dict | None:
        """Run a Python program on several tests in one visit (see supervisor.batch): REQUEST is
        a run request with its first test's paths in request["test"]. PROCEED(raw) is called
        with each run's RawRun as it comes (None: called off) and gives the next test's paths, or
        None to end; it is not asked after a run that ends the batch anyway (supervisor.batch_over
        or a sandbox failure). Each run has the limits and the counters reset of Box.run. Returns
        the supervisor's answer when no run took place ({"compile_error": ...} or {"fallback":
        true}), else None."""
        try:
            if self.channel is None or not self.alive():
                self.close()
                self.start()
        except (SandboxDied, OSError) as e:
            proceed(RawRun(error=f"sandbox failure: {e}{self._death_detail()}"))
            return None
        self._requests += 1
        message = {**request, "id": self._requests}
        wall = float(request.get("wall_max") or request["wall"]) + ANSWER_GRACE
        while True:
            try:
                baseline, oom_before = self._reset(memory_limit, pids_limit)
                self.channel.send(message)
                answer = self.channel.recv(wall)
            except (SandboxDied, OSError) as e:
                detail = self._death_detail()
                self.close()
                proceed(RawRun(error=f"sandbox failure: {e}{detail}"))
                return None
            if "compile_error" in answer or "fallback" in answer:
                return answer
            raw = self._finish(answer, baseline, oom_before)
            if batch_over(answer):
                proceed(raw)
                return None
            test = proceed(raw)
            message = {"test": test}
            if test is None:
                if self.channel is not None:  # (PROCEED may have closed the box)
                    try:
                        self.channel.send(message)
                    except SandboxDied:
                        self.close()
                return None

    def _reset(self, memory_limit: int | None, pids_limit: int | None) -> tuple[int, int]:
        """Reset the cgroup's counters and set the run's limits above the box's idle baseline;
        (baseline peak, OOM kills so far)."""
        if self.cgroup is None:
            return 0, 0
        before = self.cgroup.reset()
        self.cgroup.set_limits(None if memory_limit is None else memory_limit + before.peak,
                               None if pids_limit is None else pids_limit + self.idle_pids)
        return before.peak, before.oom_kills

    def _result(self, answer: dict, baseline: int, oom_before: int) -> RawRun | None:
        if answer.get("aborted"):
            return None
        if answer.get("error") and "exit_code" not in answer:
            return RawRun(error=answer["error"])
        memory, cpu, oom = answer.get("maxrss", 0), 0.0, False  # without a memory cgroup: wait4's figure
        if self.cgroup is not None:
            s = self.cgroup.sample()
            cpu, oom = s.cpu_ns / 1e9, s.oom_kills > oom_before
            if "memory" in self.cgroup.dirs:
                # The peak counts the page cache of the run's output files (charged to the box as
                # they are written); that is not the program's memory. A lower bound by at most
                # the output's size when the peak came before the output.
                written = -(-answer.get("written", 0) // PAGE) * PAGE
                memory = max(s.peak - baseline - written, 0)
        return RawRun(exit_code=answer["exit_code"], signal=answer["signal"], cpu_time=answer["cpu_time"],
                      wall_time=answer["wall_time"], timed_out=answer["timed_out"],
                      cpu_limit=answer.get("cpu_limit", False),
                      output_limit=answer.get("output_limit", False), memory=memory,
                      oom_killed=oom, cgroup_cpu=cpu,
                      error=f"could not start the program: {answer['error']}" if answer.get("error") else None)

    @property
    def idle_pids(self) -> int:
        """Processes of the box itself that the pids cgroup counts besides the run."""
        return 2

    def alive(self) -> bool:
        return True

    def abort(self) -> None:
        """Call off the latest request's run, from another thread (its result will be ignored; run
        returns None); only between guard.begin and guard.end (see run). The abort goes in band
        and names its request: sent before the request it waits for it, and once the request is
        answered it is moot, so it can never reach another run."""
        with self._send_lock:
            if self.channel is None or self._current is None:
                return
            try:
                self.channel.send({"abort": self._current})
            except SandboxDied:
                pass  # the box is dead: its run is over, and run() sees it

    def _death_detail(self) -> str:
        return ""


class Starter:
    """Starts the boxes' processes from a thread of its own that lives until close().

    bubblewrap's --die-with-parent is PR_SET_PDEATHSIG, which the kernel fires when the *thread*
    that forked the box exits, not its process. Boxes are shared through the pools by threads that
    come and go (a pool per map, Ray's actor threads): a box started straight from one of them was
    SIGKILLed, even in the middle of another thread's run, when that thread ended. From this thread
    a box still dies with the judge (its process killed, or closed), never with a caller's thread."""

    def __init__(self):
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="csim-box-starter", daemon=True)
        self._thread.start()

    def popen(self, argv: list[str], **kwargs) -> subprocess.Popen:
        """subprocess.Popen(ARGV, **KWARGS), forked from the starter's thread."""
        done: Future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the judge is closed")
            self._requests.put((done, argv, kwargs))
        return done.result()

    def _serve(self) -> None:
        while (request := self._requests.get()) is not None:
            done, argv, kwargs = request
            try:
                done.set_result(subprocess.Popen(argv, **kwargs))
            except BaseException as e:  # the caller's to handle, as if it had called Popen itself
                done.set_exception(e)

    def close(self) -> None:
        """Stop the thread, once the boxes it started are closed (their processes die with it)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._requests.put(None)
        self._thread.join()


class LocalBox(Box):
    """bubblewrap (or, where it is missing or not wanted, a plain process) on this machine; its
    processes are started by STARTER (see Starter)."""

    def __init__(self, spec: BoxSpec, isolation: Isolation, starter: Starter):
        super().__init__(spec)
        self.isolation = isolation
        self.starter = starter
        self.proc: subprocess.Popen | None = None
        self._log = None
        self._extra_pids: list[int] = []

    @property
    def inside_dir(self) -> str:
        return BOX if self.isolation.bwrap else str(self.spec.host_dir)

    @property
    def scratch(self) -> list[str]:
        if self.isolation.bwrap:
            return list(SCRATCH)
        return [str(self.spec.host_dir / "tmp")]  # without a mount namespace: a private TMPDIR

    @property
    def idle_pids(self) -> int:
        return 2 if self.isolation.bwrap else 1  # bwrap's monitor and the supervisor

    def inside(self, host_path: Path | str) -> str:
        return super().inside(host_path) if self.isolation.bwrap else str(host_path)

    def start(self) -> None:
        iso, spec = self.isolation, self.spec
        env = {**BASE_ENV, **spec.env}  # the fast path's runs see this environment, as exec'd ones see theirs
        if not iso.bwrap:
            os.makedirs(spec.host_dir / "tmp", exist_ok=True)
            empty_directory(spec.host_dir / "tmp")  # a replaced box starts as clean as a new one
            if iso.setpriv:
                os.chown(spec.host_dir / "tmp", NOBODY, NOBODY)
            env.update(HOME=str(spec.host_dir / "tmp"), TMPDIR=str(spec.host_dir / "tmp"))
        argv = [spec.python, "-c", supervisor_source()]
        if iso.bwrap:
            argv = bwrap_argv(iso.bwrap, spec.host_dir, spec.ro_binds) + argv
        if iso.setpriv:
            argv = [iso.setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--", *argv]
        if iso.controllers:
            self.cgroup = WorkerCgroup.create(spec.name, list(iso.controllers))
            env["CSIM_CGROUP_PROCS"] = " ".join(self.cgroup.procs_files)
        # Join the worker's groups before anything of the box exists, so nothing escapes them; and
        # an unlimited stack before the supervisor's exec, which fixes its memory layout (its
        # forked Python runs can then recurse as deep as an exec'd program).
        argv = ["/bin/sh", "-c", 'ulimit -s unlimited 2>/dev/null; '
                'for f in $CSIM_CGROUP_PROCS; do echo $$ > "$f" || exit 125; done; '
                'unset CSIM_CGROUP_PROCS; exec "$@"', "sh", *argv]
        self._log = tempfile.TemporaryFile()
        self.proc = self.starter.popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log,
                                       env=env, close_fds=True, start_new_session=True)
        self.channel = Channel(self.proc.stdout.fileno(), self.proc.stdin.fileno())
        try:
            self._handshake(iso.seccomp, iso.subreaper)
        except SandboxDied as e:
            detail = self._death_detail()
            self.close()
            raise SandboxDied(f"{e}{detail}") from None
        self._extra_pids = self._box_pids()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _box_pids(self) -> list[int]:
        """Host pids of the box's processes below bwrap, to reap them if they are orphaned to us."""
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(p) for p in children]

    def _death_detail(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        lines = self._log.read().decode(errors="replace").strip().splitlines()
        return f" ({lines[-1][:300]})" if lines else ""

    def close(self) -> None:
        if self.proc is not None:
            try:
                self.proc.stdin.close()  # EOF: the supervisor exits, and its namespace with it
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            for pid in self._extra_pids:  # reparented to us (a subreaper) if bwrap died first
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
            self.proc = None
        if self.cgroup is not None:
            self.cgroup.close()
            self.cgroup = None
        if self._log is not None:
            self._log.close()
            self._log = None
        self.channel = None


def bwrap_argv(bwrap: str, box_dir: Path | None, ro_binds=()) -> list[str]:
    """bubblewrap's part of a box's command line: every namespace unshared (no network), no user
    namespaces inside, the system read-only, fresh /proc, /dev and /tmp, and BOX_DIR at /box.
    The program after it becomes PID 1 of the box."""
    args = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
            "--as-pid-1", "--new-session", "--hostname", "box"]
    for d in SYSTEM_DIRS:
        args += ["--ro-bind", d, d]
    for link in SYSTEM_LINKS:
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            args += ["--ro-bind", link, link]
    for path in SYSTEM_ETC:
        args += ["--ro-bind-try", path, path]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    if box_dir is not None:
        args += ["--bind", str(box_dir), BOX, "--chdir", BOX]  # what is writable in it is up to ownership
    for host, inside in ro_binds:
        args += ["--ro-bind", host, inside]
    # bubblewrap's own root (a tmpfs holding the mount points) and /dev read-only too: only /box,
    # /tmp and /dev/shm stay writable.
    return args + ["--remount-ro", "/dev", "--tmpfs", "/dev/shm", "--remount-ro", "/"]


def make_box_dir(parent: Path, name: str, owner: int | None) -> Path:
    """A fresh directory for a box: root-owned and read-only inside unless OWNER (a uid) is given."""
    d = parent / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    d.chmod(0o755)
    if owner is not None:
        os.chown(d, owner, owner)
    return d
