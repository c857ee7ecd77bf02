"""The supervisor: a small program that lives inside a worker's sandbox and runs programs on request.

It is started once per worker (inside bubblewrap or a Docker container, normally as PID 1 of its
own PID namespace) by the target Python interpreter, and talks to the judge over its stdin and
stdout in JSON lines. Per request it starts the program with its standard streams on files in the
box: an executable by posix_spawn (vfork: cheap), then sets its limits; or, on the Python fast
path, a fork of this already-started interpreter that sets its limits and runs the source. The
supervisor, as the parent, gets the exact CPU time and exit status from wait4, kills the run at
the wall-clock limit (or when its output reaches the limit), then kills and reaps everything the
run left behind and empties the scratch directories; when something stays (a file it could not
remove, a System V IPC object), its answer says so ("dirty") and the judge replaces the box. Memory is measured by the judge in the
worker's cgroup.

Standard library only, and as few imports as possible: on the fast path, whatever this module has
imported is already imported for the user's program (resource and time are anyway: PRELOAD).

A forked run's cost is mostly page faults: after a fork every page either side writes is a fault
(~4 us on this VM), and a copy while both live. So the runs do as little as they can in the child,
and the supervisor writes as few pages as it can per run (its per-run work, JSON included, is kept
lean; see json_line, _install_std_streams, _python_shutdown).

Protocol: the first line from the judge is the setup ({"seccomp": base64 BPF or null,
"subreaper": bool, "scratch": [dirs to empty after each run]}); the supervisor answers
{"ready": true, ...}. Then each request line is one run (see run()), answered by one line, or a
batch of runs of one Python program (see batch()), a line per run; the judge may also send
{"abort": id} at any time to call off request ID's run (see Control).
"""

import _signal
import gc
import json
import os
import resource
import select
import signal
import sys
import time

PID1 = os.getpid() == 1  # init of its own PID namespace: immune to its children's signals

# JSON through the C encoder and scanner, each made once: json.dumps and json.loads run Python
# code around them on every call, whose objects are pages written after each fork (a fault and,
# while the run lives, a copy: ~30 of ~220 a run cost the supervisor). The judge's side
# (judge.sandbox.channel) uses the same two.
_ENCODE = json.encoder.c_make_encoder(None, None, json.encoder.encode_basestring_ascii, None, ": ", ", ",
                                      False, False, True) if json.encoder.c_make_encoder else None
_SCAN = json.decoder.JSONDecoder().scan_once


def json_line(obj):
    """OBJ as one line of JSON, newline included (bytes)."""
    return (("".join(_ENCODE(obj, 0)) if _ENCODE else json.dumps(obj)) + "\n").encode()


def parse_line(line):
    """The JSON value of LINE (bytes, without its newline)."""
    try:
        return _SCAN(line.decode(), 0)[0]
    except StopIteration:
        raise ValueError(f"not JSON: {line[:200]!r}") from None


_LIBC = []  # the C library through ctypes, loaded once (the supervisor's first prctl) for every run


def _prctl(option, value, what):
    import ctypes  # only here: a supervisor that needs no prctl never imports it

    if not _LIBC:
        _LIBC.append(ctypes.CDLL(None, use_errno=True).prctl)
    if _LIBC[0](option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"{what} failed")


def _install_seccomp(bpf):
    """Load a classic-BPF seccomp filter on this process; every later child inherits it."""
    import ctypes

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(bpf, len(bpf))
    prog = SockFprog(len(bpf) // 8, ctypes.addressof(buf))
    _prctl(38, 1, "PR_SET_NO_NEW_PRIVS")
    if libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0:  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
        raise OSError(ctypes.get_errno(), "loading the seccomp filter failed")


PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36


def _descendants():
    """PIDs whose parent chain leads here (used only outside a PID namespace)."""
    parent = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    stat = f.read()
                parent[int(name)] = int(stat[stat.rindex(b")") + 2:].split()[1])
            except (OSError, ValueError):
                pass
    me, found, changed = os.getpid(), set(), True
    while changed:
        changed = False
        for pid, ppid in parent.items():
            if pid not in found and (ppid == me or ppid in found):
                found.add(pid)
                changed = True
    return found


def _kill_everything(group=None):
    """Kill and reap every process the run left, detached ones included. GROUP: the run's process group."""
    if group is not None and not PID1:
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    while True:
        reaped = False
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return  # nobody left: as a subreaper (or init) every leftover would be our child
            if pid == 0:
                break
            reaped = True
        if reaped:
            continue
        if PID1:
            try:
                os.kill(-1, signal.SIGKILL)  # from a namespace's init: everyone in it but itself
            except ProcessLookupError:
                pass
        else:
            for pid in _descendants():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _clear_files(fd):
    """Unlink every non-directory in the directory open at FD; the names of its subdirectories."""
    subdirs = []
    with os.scandir(fd) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                subdirs.append(entry.name)
            else:
                os.unlink(entry.name, dir_fd=fd)
    return subdirs


def _empty(directory):
    """Remove everything under DIRECTORY (a scratch space the run could write), keep the directory.
    Iterative, and every call relative to an open directory by one name: no depth or path length
    can stop it (a recursive walk by paths failed on 1,200 levels and past PATH_MAX). Raises
    OSError when something stays; the box is then replaced (see run)."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    fd = os.open(directory, flags)
    path = []  # names from DIRECTORY down to the directory open at fd
    try:
        pending = [_clear_files(fd)]  # per level: subdirectories still to empty
        while True:
            if pending[-1]:
                name = pending[-1].pop()
                os.chmod(name, 0o700, dir_fd=fd)  # the run may have taken its own permissions away
                child = os.open(name, flags, dir_fd=fd)
                os.close(fd)
                fd = child
                path.append(name)
                pending.append(_clear_files(fd))
                continue
            pending.pop()
            if not path:
                return
            parent = os.open("..", flags, dir_fd=fd)
            os.close(fd)
            fd = parent
            os.rmdir(path.pop(), dir_fd=fd)
    finally:
        os.close(fd)


IPC_FILES = tuple((kind, f"/proc/sysvipc/{kind}") for kind in ("shm", "msg", "sem"))


def _ipc_left():
    """The kinds of System V IPC objects that exist in the box's IPC namespace ("" for none). They
    outlive the run that made them (a shared memory segment keeps its memory and its contents)."""
    left = []
    for kind, path in IPC_FILES:
        try:
            fd = os.open(path, os.O_RDONLY)  # not open(): a file object per look, after every run
        except OSError:
            continue
        try:
            if os.read(fd, 4096).count(b"\n") > 1:  # a header line, then one line per object
                left.append(kind)
        except OSError:
            pass
        finally:
            os.close(fd)
    return " ".join(left)


def _clean_up(scratch):
    """Empty the scratch directories after a run; why the box is no longer as good as a fresh
    one (None when it is): then the judge replaces it before its next run."""
    try:
        for directory in scratch:
            _empty(directory)
    except Exception as e:  # anything at all: the box is replaced, never reused
        return f"scratch not emptied: {type(e).__name__}: {e}"[:300]
    if PID1:  # own namespaces: anything in view is the run's
        left = _ipc_left()
        if left:
            return f"System V IPC objects left: {left}"
    return None


# Inherited from Python's own start-up, where they are ignored; a program must get the defaults.
RESET_SIGNALS = tuple(getattr(signal, n) for n in ("SIGPIPE", "SIGXFSZ", "SIGXFZ", "SIGINT") if hasattr(signal, n))


def _limits(req):
    """(resource, soft, hard) for a run: CPU = the request's whole seconds (then SIGKILL a second
    later), output file size, open files, and, where no cgroup does it, processes and memory."""
    cpu = int(req["cpu"])
    out = [(resource.RLIMIT_CPU, cpu, cpu + 1)]
    if req.get("fsize"):
        out.append((resource.RLIMIT_FSIZE, req["fsize"], req["fsize"]))
    if req.get("nofile"):
        out.append((resource.RLIMIT_NOFILE, req["nofile"], req["nofile"]))
    if req.get("nproc"):
        out.append((resource.RLIMIT_NPROC, req["nproc"], req["nproc"]))
    if req.get("address_space"):  # only where there is no memory cgroup
        out.append((resource.RLIMIT_AS, req["address_space"], req["address_space"]))
    return out


def _set_own_limits():
    """Limits every run inherits: no core files, and the stack as large as allowed (unlimited on
    Codeforces); the stack limit must be in place before exec, so it is set on the supervisor."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
    resource.setrlimit(resource.RLIMIT_STACK, (hard, hard))


OOM_BAIT_PATIENCE = 0.01  # seconds an exec'd run's /proc entries may stay root's (see _bait_oom_killer)


def _bait_oom_killer(pid, clock=None):
    """Raise (never lower) the run's OOM score so that the cgroup's OOM killer takes it, not us.
    Plain fd calls: a text-mode open() costs a forked run ~0.1 ms more (the io objects it touches
    are copied-on-write there). An exec'd run (CLOCK: time.monotonic) is let go by vfork while its
    exec is still under way, when its new image is as undumpable as we are (PR_SET_DUMPABLE in
    main) and its /proc entries are root's: a refusal is tried again until the exec is done."""
    deadline = None
    while True:
        try:
            fd = os.open(f"/proc/{pid}/oom_score_adj", os.O_WRONLY)
            break
        except PermissionError:
            if clock is None:
                return
            deadline = deadline or clock() + OOM_BAIT_PATIENCE
            if clock() > deadline:
                return  # an image we may not read stays undumpable: it keeps our score
            os.sched_yield()
        except OSError:
            return
    try:
        os.write(fd, b"1000")
    except OSError:
        pass
    finally:
        os.close(fd)


def _spawn(req):
    """Start an executable with vfork semantics (posix_spawn): a fork of this interpreter costs
    milliseconds on a VM, a vfork almost nothing. Limits are set on the child right after it
    started, before its loader has reached main(); they bound resources, the namespaces, seccomp
    and the cgroup do the confining."""
    flags = os.O_WRONLY | os.O_CREAT  # the judge gives fresh files: truncating costs ms on ext4
    actions = [(os.POSIX_SPAWN_OPEN, 0, req["stdin"], os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, req["stdout"], flags, 0o644),
               (os.POSIX_SPAWN_OPEN, 2, req["stderr"], flags, 0o644)]
    os.chdir(req["cwd"])
    pid = os.posix_spawn(req["argv"][0], req["argv"], req.get("env") or {}, file_actions=actions,
                         setpgroup=0, setsigdef=RESET_SIGNALS)
    try:
        for which, soft, hard in _limits(req):
            resource.prlimit(pid, which, (soft, hard))
    except ProcessLookupError:
        pass  # already finished: limits no longer matter
    _bait_oom_killer(pid, time.monotonic)
    return pid


def _fork_python(req, code=None, limits=None):
    """Fork this interpreter and run a Python source in the child (the fast path); CODE: the
    source already compiled here (a batch), so that no run compiles it again; LIMITS: _limits(req),
    made once for a batch's runs (else here, before the fork)."""
    limits = limits or _limits(req)
    errors_r, errors_w = os.pipe()  # the child reports a failure to set up here
    pid = os.fork()
    if pid == 0:
        # Our objects out of the run's garbage collections: a collection writes to every object
        # it walks, and each page written is a page fault and a copy (~4 us here).
        gc.freeze()
        try:
            os.close(errors_r)
            os.setpgid(0, 0)
            _prctl(PR_SET_DUMPABLE, 1, "PR_SET_DUMPABLE")  # as an exec'd program would be
            _bait_oom_killer("self")
            fds = (os.open(req["stdin"], os.O_RDONLY),
                   os.open(req["stdout"], os.O_WRONLY | os.O_CREAT, 0o644),
                   os.open(req["stderr"], os.O_WRONLY | os.O_CREAT, 0o644))
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
                os.close(fd)
            os.chdir(req["cwd"])
            for which, soft, hard in limits:
                resource.setrlimit(which, (soft, hard))
            os.closerange(3, errors_w)
            os.closerange(errors_w + 1, 1 << 16)
            if code is None:
                with open(req["python"], "rb") as f:
                    source = f.read()
        except BaseException as e:
            try:
                os.write(errors_w, f"{type(e).__name__}: {e}".encode()[:1000])
            finally:
                os._exit(127)
        os.close(errors_w)
        try:
            if code is not None:
                _python_main(req["python"], code)
            elif req.get("compile_only"):
                _python_syntax_check(req["python"], source)
            else:
                _python_main(req["python"], source)
        except BaseException as e:
            os.write(2, f"csim supervisor: {type(e).__name__}: {e}\n".encode())
        finally:
            os._exit(126)  # never back into the supervisor's loop
    os.close(errors_w)
    failure = b""
    try:  # plain reads: a file object would allocate and free a buffer after every fork (copied pages)
        while chunk := os.read(errors_r, 1024):
            failure += chunk
    finally:
        os.close(errors_r)
    if failure:
        failure = failure.decode(errors="replace")
        os.waitpid(pid, 0)
        raise OSError(failure)
    return pid


def _install_std_streams():
    """sys.stdin, sys.stdout and sys.stderr (and sys.__stdin__, ...) as `python3` makes them on
    fds 0, 1 and 2: made and installed once by the supervisor, never used by it, so that each
    forked run finds them in place and unused (empty buffers, nothing read or written) instead of
    making and installing its own (~0.2 ms a run: replacing sys.__stdin__ finalizes the old
    stream, and every object that touches is a page copied). Made while the three fds are
    /dev/null, which answers what a run's files (regular files) answer to what the streams ask
    once and keep (seekable, not a tty, the block size), whatever our own stderr is."""
    null, saved = os.open(os.devnull, os.O_RDWR), os.dup(2)
    try:
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        streams = (open(0, "r", encoding="utf-8", closefd=False),
                   open(1, "w", encoding="utf-8", closefd=False),
                   open(2, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False))
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)
    sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams


def _as_program(path):
    """sys.argv and sys.path[0] as `python3 PATH` sets them."""
    sys.argv = [path]
    sys.path[0] = os.path.dirname(path)


def _python_main(path, source):
    """Run SOURCE (text, or a code object compiled from it) as __main__ in this (forked)
    interpreter, as `python3 PATH` would, on the standard streams the supervisor installed
    (_install_std_streams). SIGPIPE and SIGXFSZ are ignored, as Python's start-up leaves them:
    the supervisor keeps them so (main)."""
    import builtins
    import types

    # _signal's, not signal's: the latter's enum conversions cost a run ~50 copied pages.
    _signal.signal(_signal.SIGINT, _signal.default_int_handler)  # ignored by the supervisor (main)
    if len(sys.argv) != 1 or sys.argv[0] != path:  # a batch sets them once for all its runs
        _as_program(path)
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    code = 0
    collections = _gc_collections()
    try:
        exec(source if isinstance(source, types.CodeType) else compile(source, path, "exec"), main.__dict__)
    except SystemExit as e:
        code = _exit_code(e.code)
    except BaseException as e:
        _report_uncaught(e)
        code = 1
    import weakref

    module = weakref.ref(main)
    del main
    os._exit(_python_shutdown(module, code, collections))


def _report_uncaught(e):
    """Print an uncaught exception as `python3 PATH` does: through sys.excepthook (the program may
    have set its own; the default is the interpreter's C display, no module to import), from the
    program's frames on."""
    if e.__traceback__ is not None:
        e.__traceback__ = e.__traceback__.tb_next
    try:
        sys.excepthook(type(e), e, e.__traceback__)
    except BaseException as hook_error:
        try:
            sys.stderr.write("Error in sys.excepthook:\n")
            sys.__excepthook__(type(hook_error), hook_error, hook_error.__traceback__)
            sys.stderr.write("\nOriginal exception was:\n")
            sys.__excepthook__(type(e), e, e.__traceback__)
        except BaseException:
            pass


# Standard modules that contest programs import most, imported once here so that a forked run
# finds them loaded (as it finds os or json): the same modules, only not imported again per run.
# Nothing that keeps per-process random state (random, tempfile, uuid, secrets: forked runs would
# share one seed) or threads (threading, queue).
PRELOAD = ("math", "collections", "itertools", "heapq", "bisect", "functools", "operator", "re", "string",
           "array", "copy", "decimal", "fractions", "typing", "datetime", "io", "types", "weakref",
           "atexit", "resource")

WARM_UP = """
n, m = map(int, "3 4".split())
xs = [int(x) * 2 for x in "1 2 3".split()]
d = {i: i * i for i in range(n)}
s = {x % 3 for x in xs}
def f(k, acc=0):
    for i in range(k):
        acc += i if i % 2 else -i
    return acc
class P:
    __slots__ = ("a",)
    def __init__(self, a):
        self.a = a
try:
    raise ValueError(f"{n} {m:>3} {1.5:.2f}")
except ValueError as e:
    text = str(e)
out = " ".join(map(str, sorted(xs, key=lambda v: -v))) + "\\n" + str(f(m)) + str(P(1).a) + text
"""


def _warm_up():
    """Do once here what every run would otherwise do first in its own copy (costly there: each
    page it writes is copied): load PRELOAD, and let the compiler, the text streams and common
    builtins initialise their lazily built state (the compiler's AST types, codec lookups)."""
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    namespace = {"__builtins__": __builtins__}
    exec(compile(WARM_UP, "<warm-up>", "exec"), namespace)
    with open(os.devnull, "r", encoding="utf-8") as f:
        f.readline()
    with open(os.devnull, "w", encoding="utf-8", buffering=1, errors="backslashreplace") as f:
        print(namespace["out"], file=f)
        f.flush()


def _gc_collections():
    """Collections of the two older generations so far (gc.get_stats)."""
    stats = gc.get_stats()
    return stats[1]["collections"] + stats[2]["collections"]


def _python_shutdown(module, code, collections):
    """What CPython's shutdown does that a program can observe, in its order: wait for non-daemon
    threads, run atexit handlers, flush the standard streams, then let __main__ go (the garbage
    collector finalizes its objects while their globals still exist, e.g. fast-output classes
    that flush in __del__), clear what is left of it, and flush again. MODULE: a weak reference to
    __main__; COLLECTIONS: _gc_collections() when the program began. Returns the exit status (120
    when stdout cannot be flushed, as CPython).

    The collections reach every object the program made. As the run froze ours (_fork_python),
    the oldest generation holds none of its objects unless the collector promoted some there (an
    older generation was collected since COLLECTIONS): only then is the full collection needed,
    which also empties the interpreter's free lists, a copied page for each page they hold (~60
    of ~330 pages a short run copies)."""
    try:
        threading = sys.modules.get("threading")
        if threading is not None:
            threading._shutdown()
        import atexit

        atexit._run_exitfuncs()
    except SystemExit as e:
        code = _exit_code(e.code)
    except BaseException:
        code = code or 1
    code = _flush_std(code)
    try:
        generation = 2 if _gc_collections() != collections else 1
        sys.modules.pop("__main__", None)
        gc.collect(generation)
        if module() is not None:
            module().__dict__.clear()
            gc.collect(generation)
    except BaseException:
        pass
    return _flush_std(code)


def _flush_std(code):
    for stream, failed in ((sys.stdout, 120), (sys.__stdout__, 120), (sys.stderr, None), (sys.__stderr__, None)):
        try:
            if stream is not None and not getattr(stream, "closed", False):
                stream.flush()
        except BaseException:
            code = code or failed or 0
    return code


def _python_syntax_check(path, source):
    """The "compilation" of a Python source: a syntax error is reported as the interpreter would."""
    try:
        compile(source, path, "exec")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as e:
        import traceback

        os.write(2, "".join(traceback.format_exception_only(type(e), e)).encode(errors="replace"))
        os._exit(1)
    os._exit(0)


def _exit_code(value):
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    try:
        sys.stderr.write(f"{value}\n")
    except BaseException:
        pass
    return 1


OUTPUT_WATCH = 0.1  # seconds between looks at the output's size while a run goes on


class Control:
    """The judge's side of the conversation: JSON lines read from FD with no buffering beyond them,
    so that a run's loop can watch the same descriptor. Besides requests, the judge may send
    {"abort": id} at any time: the run of request ID is no longer wanted. Aborts name their
    request, so one that comes late (its run already answered) or early (before its request)
    never touches another run; the stream keeps them in order with the requests."""

    def __init__(self, fd):
        self.fd = fd
        self.eof = False
        self.aborted = set()  # ids of requests called off, their run under way or still to come
        self._buf = b""
        self._requests = []  # requests read ahead while a run went on (the judge sends none then)

    def read_available(self):
        """One read (the descriptor is readable, or we may block); notes aborts, keeps requests."""
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.eof = True
        self._buf += chunk
        while b"\n" in self._buf:
            line, _, self._buf = self._buf.partition(b"\n")
            if line.strip():
                message = parse_line(line.strip())
                if "abort" in message:
                    self.aborted.add(message["abort"])
                else:
                    self._requests.append(message)

    def next_request(self):
        """The next request (blocking until one comes), or None when the judge has gone."""
        while not self._requests:
            if self.eof:
                return None
            self.read_available()
        return self._requests.pop(0)

    def wanted(self, request_id):
        return request_id is None or request_id not in self.aborted and not self.eof

    def served(self, request_id):
        """Aborts for this request or earlier ones can no longer matter (ids only grow)."""
        if request_id is not None:
            self.aborted = {i for i in self.aborted if i > request_id}


def _process_cpu(pid, tick):
    """CPU seconds of every thread of process PID (its /proc stat sums them), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    except (OSError, ValueError, IndexError):
        return 0.0


def _run_cpu(children_before):
    """CPU seconds used by the run so far, every thread of every process: its live processes and
    those already reaped. As PID 1 every process in view is the run's; elsewhere the run is what
    descends from the supervisor."""
    times = os.times()
    total = times.children_user + times.children_system - children_before
    tick = os.sysconf("SC_CLK_TCK")
    if PID1:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit() and name != "1"]
    else:
        pids = _descendants()
    return total + sum(_process_cpu(pid, tick) for pid in pids)


PROGRESS_WINDOW = 0.5  # seconds: past the wall-clock limit, a run must have used CPU in each such window
# The run's CPU time is looked at when it could first have reached the limit (its CPU grows at most
# as fast as the wall clock times the CPUs it may use), and at least this far apart: a run is
# killed by at most this much CPU per thread past its time limit, plus one clock tick (/proc's
# resolution), instead of at RLIMIT_CPU (the limit's whole seconds plus one, now only a backstop).
CPU_WATCH = 0.01  # seconds
CPUS = len(os.sched_getaffinity(0))


def _size(path):
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def run(req, scratch, control=None, code=None, limits=None):
    """One run. Request: stdin/stdout/stderr/cwd paths (stdout and stderr fresh: empty or absent),
    cpu (whole seconds for RLIMIT_CPU, a backstop), time_limit (seconds of CPU: the
    kill, see CPU_WATCH), wall (seconds: the kill for idle runs), wall_max (seconds:
    the kill for runs still computing), fsize, nofile, nproc, address_space, env, and either argv
    (exec it) or python (a source to run on the fast path). Answer: exit_code, signal, cpu_time,
    maxrss, wall_time, timed_out, cpu_limit, output_limit, error, written (bytes of stdout and stderr),
    dirty (why the box is no longer as good as a fresh one, or None); aborted, when CONTROL says the judge called
    the run off (an abort for the request's id, before or during the run). CODE: python's source
    already compiled, and LIMITS its _limits (see batch)."""
    request_id = req.get("id")
    if control is not None and not control.wanted(request_id):  # called off before it began
        return {"exit_code": None, "signal": None, "cpu_time": 0.0, "wall_time": 0.0, "timed_out": False,
                "error": None, "aborted": True}

    start = time.monotonic()
    times = os.times()
    children_before = times.children_user + times.children_system
    try:
        pid = _fork_python(req, code, limits) if req.get("python") else _spawn(req)
    except OSError as e:
        _kill_everything()
        return {"exit_code": None, "signal": None, "cpu_time": 0.0, "wall_time": 0.0, "timed_out": False,
                "error": str(e) or type(e).__name__, "dirty": _clean_up(scratch)}
    timed_out = flooded = aborted = cpu_limit = False
    pidfd = os.pidfd_open(pid)
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        if control is not None and not control.eof:
            poller.register(control.fd, select.POLLIN)
        time_limit = float(req.get("time_limit") or 0)  # 0: no CPU watch (RLIMIT_CPU alone)
        never = float("inf")
        deadline = start + float(req["wall"])
        last_chance = start + float(req.get("wall_max") or req["wall"])
        # The run's CPU one progress window before the wall-clock limit: a run that used none since
        # is idle and killed at the limit itself; one still computing gets windows (see below).
        mark, mark_cpu = deadline - PROGRESS_WINDOW, None
        next_cpu = start + time_limit / CPUS if time_limit else never
        while True:
            now = time.monotonic()
            if now >= next_cpu or now >= deadline or (mark_cpu is None and now >= mark):
                cpu = _run_cpu(children_before)
                if time_limit and cpu > time_limit:
                    cpu_limit = True  # TLE decided: killed at the limit, not at RLIMIT_CPU
                    break
                if time_limit:
                    next_cpu = now + max((time_limit - cpu) / CPUS, CPU_WATCH)
                if mark_cpu is None and now >= mark:
                    mark_cpu = cpu
                if now >= deadline:
                    if now < last_chance and cpu > mark_cpu:
                        # Still computing (any thread, any process of the run) and under its CPU
                        # limit, just short of CPU on a loaded machine: not idle. The wall clock is
                        # for the idle; CPU time ends the rest.
                        mark, mark_cpu = now, cpu
                        deadline = now + PROGRESS_WINDOW
                        continue
                    timed_out = True
                    break
            wake = min(next_cpu, deadline, mark if mark_cpu is None else never, now + OUTPUT_WATCH)
            events = poller.poll(max(int((wake - now) * 1000 + 0.999), 1))
            if any(fd == pidfd for fd, _ in events):
                break
            if events:  # the judge wrote: an abort, or it went away (end of the stream)
                control.read_available()
                if control.eof:
                    poller.unregister(control.fd)
                if not control.wanted(request_id):
                    aborted = True
                    break
            if req.get("fsize") and _size(req["stdout"]) >= req["fsize"]:
                flooded = True  # some runtimes (the JVM, Python) ignore SIGXFSZ and write on
                break
        if timed_out or flooded or aborted or cpu_limit:
            os.kill(pid, signal.SIGKILL)
        _, status, usage = os.wait4(pid, 0)
    finally:
        os.close(pidfd)
    wall = time.monotonic() - start
    _kill_everything(pid)
    written = _size(req["stdout"]) + _size(req["stderr"])
    return {
        "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "cpu_time": usage.ru_utime + usage.ru_stime,
        "maxrss": usage.ru_maxrss * 1024,  # bytes; counts the supervisor too (vfork), a fallback only
        "wall_time": wall,
        "timed_out": timed_out,
        "cpu_limit": cpu_limit,  # killed when its CPU time passed the time limit
        "output_limit": flooded,
        "error": None,
        "aborted": aborted,
        "written": written,  # bytes in the run's stdout and stderr files: page cache, not the run's memory
        "dirty": _clean_up(scratch),
    }


def _compile_batch(path, name):
    """The source at PATH compiled for every run of a batch, and the compilation's messages: (code,
    None); (None, messages as the syntax check would print them, naming the file NAME) for a
    compilation error; (None, None) when compiling printed warnings, which a run prints itself on
    the per-run path (the judge falls back to it). Compiled here, not in a child, because batches
    only take small sources (the judge's BATCH_SOURCE_LIMIT): little memory and time."""
    import warnings  # imported by Python's start-up already

    with open(path, "rb") as f:
        source = f.read()
    try:
        with warnings.catch_warnings(record=True) as caught:  # the filters as they are: what would print
            code = compile(source, path, "exec")
        return (None, None) if caught else (code, None)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        import traceback

        try:  # again, for the message: the per-run path's syntax check names just the file
            compile(source, name, "exec")
        except (SyntaxError, ValueError, MemoryError, RecursionError) as e:
            return None, "".join(traceback.format_exception_only(type(e), e))
        return None, "csim supervisor: the source compiled on the second try"
    except Exception as e:  # as the syntax check's child reports what it did not expect
        return None, f"csim supervisor: {type(e).__name__}: {e}\n"


def batch_over(answer):
    """Whether a batch ends after a run with this ANSWER whatever the judge wants: the box is no
    longer as good as new, the run was called off, or it could not start. Shared with the judge
    (judge.sandbox.box), which then sends nothing more for the batch."""
    return bool(answer.get("dirty") or answer.get("aborted") or answer.get("error"))


def batch(req, scratch, control, reply):
    """One program's tests in one visit: REQ is a run request (see run) for python source
    REQ["python"] and its first test, REQ["test"] ({"stdin", "stdout", "stderr"}). The source is
    compiled once here (that is its syntax check: the answer {"compile_error": messages} ends the
    batch; {"fallback": true} when it printed warnings), then every test is a run of its own in a
    fresh fork, answered as run() answers. After each answer the judge sends {"test": the next
    test's paths, or null to end}: it checks the output and resets the memory peak in between, so
    that verdicts, checkers and per-test memory are as on the per-run path, and answers never come
    here."""
    code, error = _compile_batch(req["python"], os.path.basename(req["python"]))
    if code is None:
        reply({"fallback": True} if error is None else {"compile_error": error})
        return
    test = req["test"]
    saved = sys.argv, sys.path[0]
    _as_program(req["python"])  # here once, not in every run (each would copy the pages it writes)
    limits = _limits(req)
    try:
        while test is not None:
            answer = run({**req, **test}, scratch, control, code, limits)
            reply(answer)
            if batch_over(answer):
                return
            message = control.next_request()
            if message is None:
                return
            test = message.get("test")
    finally:
        sys.argv, sys.path[0] = saved


def main():
    # The judge's channel moves off fds 0 and 1, which become /dev/null until a run redirects them.
    control = Control(os.dup(0))
    ctl_out = os.dup(1)
    null = os.open("/dev/null", os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    # Default dispositions: as PID 1 of the box, no signal from inside it reaches us (the kernel
    # drops those a namespace's init has no handler for), and the judge sends none.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, signal.SIG_IGN if sig == signal.SIGINT else signal.SIG_DFL)
    # Ignored, as Python's start-up leaves them and as forked runs must find them (see
    # _python_main): set here once, not in each run. Exec'd runs get the defaults (_spawn).
    for sig in RESET_SIGNALS:
        if sig != signal.SIGINT:
            signal.signal(sig, signal.SIG_IGN)

    def reply(obj):
        data = json_line(obj)
        while data:
            data = data[os.write(ctl_out, data):]

    setup = control.next_request()
    if setup is None:
        return
    # Runs (same uid) may not read our memory or our /proc entries. Forked runs turn it back on
    # for themselves; exec'd programs get it back from exec; either way they expose only themselves.
    _prctl(PR_SET_DUMPABLE, 0, "PR_SET_DUMPABLE")
    if setup.get("seccomp"):
        import base64

        _install_seccomp(base64.b64decode(setup["seccomp"]))
    if setup.get("subreaper") and not PID1:
        _prctl(PR_SET_CHILD_SUBREAPER, 1, "PR_SET_CHILD_SUBREAPER")
    scratch = setup.get("scratch") or []
    _set_own_limits()
    _warm_up()
    _install_std_streams()
    # Objects that exist now are never collected in the forked runs, so their pages stay shared
    # instead of being copied when a run's garbage collector would walk them.
    gc.freeze()
    reply({"ready": True, "pid1": PID1, "uid": os.getuid(), "python": sys.version.split()[0]})
    while (req := control.next_request()) is not None:
        try:
            if "test" in req:
                batch(req, scratch, control, reply)  # it answers each run itself
                answer = None
            else:
                answer = run(req, scratch, control)
        except Exception as e:  # the supervisor's own fault: reported, never fatal
            _kill_everything()
            answer = {"error": f"supervisor: {type(e).__name__}: {e}", "dirty": "the supervisor failed"}
        control.served(req.get("id"))
        if answer is not None:
            reply(answer)


if __name__ == "__main__":
    main()
