"""A box lives as long as its judge, whichever thread started it.

bubblewrap's --die-with-parent is PR_SET_PDEATHSIG, which the kernel fires when the *thread* that
forked the box exits, not its process. Callers judge from threads that come and go (a ThreadPool
per map, Ray's actor threads), while boxes are shared by all of them through the pools: a box
started by one such thread was SIGKILLed in the middle of another thread's run when the first
thread ended, and the run came back as a judge error (IE)."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from judge.languages import get_language, resolve_tools
from judge.sandbox.backend import make_backend
from judge.sandbox.box import BoxSpec, make_box_dir, run_request

SLEEPER = "import time\ntime.sleep(1.5)\nprint('done')\n"


@pytest.fixture
def backend_and_dir():
    token = f"csim-{os.getpid()}-{secrets.token_hex(3)}"
    runtime = Path(tempfile.mkdtemp(prefix=f"{token}-"))
    runtime.chmod(0o711)  # the sandbox uid may pass through, as in judge.runner
    backend = make_backend("local", None, token)
    try:
        yield backend, runtime, token
    finally:
        backend.close()
        shutil.rmtree(runtime, ignore_errors=True)


def _box(backend, runtime: Path, token: str):
    uid = 65534 if backend.drop_uid else None
    name = f"{token}-run0"
    spec = BoxSpec(name, make_box_dir(runtime, name, None), resolve_tools("python")["python3"],
                   env=dict(get_language("python").run_env), owner=uid)
    return backend.box(spec)


def test_a_run_survives_the_exit_of_the_thread_that_started_its_box(backend_and_dir):
    backend, runtime, token = backend_and_dir
    box = _box(backend, runtime, token)
    started, leave = threading.Event(), threading.Event()

    def starter():  # starts the box, then ends while another thread's run is under way
        box.start()
        started.set()
        leave.wait(30)

    thread = threading.Thread(target=starter)
    thread.start()
    try:
        assert started.wait(60)
        _, source = box.new_file("main", SLEEPER.encode())
        _, stdin = box.new_file("stdin")
        _, stdout = box.new_file("stdout", writable=True)
        _, stderr = box.new_file("stderr", writable=True)
        request = run_request(box.inside_dir, stdin, stdout, stderr, time_limit=5.0, wall=15.0, fsize=1 << 20,
                              env={}, python=source)
        threading.Timer(0.5, leave.set).start()  # the starting thread ends half a second into the run
        raw = box.run(request, 256 << 20, 16)
        thread.join()
        assert raw.error is None, raw.error
        assert (raw.exit_code, raw.signal) == (0, None)
        assert box.alive()  # and the box stays up for the next run
    finally:
        leave.set()
        thread.join()
        box.close()
