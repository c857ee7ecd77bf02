"""Which sandbox layers this machine offers, detected once at start-up, each with why not if missing."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass

from judge.languages import SYSTEM_PATH
from judge.sandbox import cgroups
from judge.sandbox.box import NOBODY, Isolation, bwrap_argv
from judge.sandbox.seccomp import build_filter


@dataclass(frozen=True)
class Layer:
    name: str
    active: bool
    detail: str  # what it does when active, why it is missing otherwise

    def to_dict(self) -> dict:
        return asdict(self)


def _probe_bwrap(bwrap: str, setpriv: str | None) -> str:
    """'' when bubblewrap can start a box here as the sandbox uid, else why not."""
    argv = [*bwrap_argv(bwrap, None), "/bin/true"]
    if setpriv:
        argv = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--", *argv]
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"bubblewrap did not run: {e}"
    if out.returncode != 0:
        return f"bubblewrap failed here: {(out.stderr.strip().splitlines() or ['?'])[-1]}"
    return ""


def _subreaper() -> str:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER on the judge process
        return f"prctl(PR_SET_CHILD_SUBREAPER) failed: {os.strerror(ctypes.get_errno())}"
    return ""


def detect_local(use_namespaces: bool = True) -> tuple[Isolation, list[Layer]]:
    """Detect the local layers; USE_NAMESPACES=False is the plain `none` sandbox (no bubblewrap,
    seccomp or uid change; limits and measurement only)."""
    layers: list[Layer] = []
    root = os.geteuid() == 0

    setpriv = shutil.which("setpriv", path=SYSTEM_PATH) if root else None
    if not use_namespaces:
        layers.append(Layer("unprivileged-uid", False, "sandbox 'none': runs as the judge's own user"))
        setpriv = None
    elif not root:
        layers.append(Layer("unprivileged-uid", True, f"the judge itself runs as uid {os.geteuid()}"))
    elif setpriv:
        layers.append(Layer("unprivileged-uid", True, f"runs as uid {NOBODY} (nobody), never root"))
    else:
        layers.append(Layer("unprivileged-uid", False, "setpriv (util-linux) is not installed: runs would be root"))

    bwrap = shutil.which("bwrap", path=SYSTEM_PATH)
    if not use_namespaces:
        layers.append(Layer("bubblewrap", False, "sandbox 'none': no namespaces"))
        bwrap = None
    elif bwrap is None:
        layers.append(Layer("bubblewrap", False, "bwrap is not installed (run scripts/setup.sh)"))
    elif why := _probe_bwrap(bwrap, setpriv):
        layers.append(Layer("bubblewrap", False, why))
        bwrap = None
    else:
        layers.append(Layer("bubblewrap", True, "own user, PID, mount, network, IPC and UTS namespaces; no network; "
                                                "system read-only; private /tmp; only the box writable"))

    seccomp = None
    if not use_namespaces:
        layers.append(Layer("seccomp", False, "sandbox 'none': no system call filter"))
    else:
        try:
            seccomp = build_filter(pid_namespace=bwrap is not None)
            layers.append(Layer("seccomp", True, f"libseccomp filter, {len(seccomp) // 8} BPF instructions: no "
                                                 "sockets, ptrace, mount, namespaces, bpf, keyctl, io_uring; "
                                                 "clone3 answered ENOSYS"))
        except OSError as e:
            layers.append(Layer("seccomp", False, f"libseccomp unavailable: {e}"))

    controllers = []
    hierarchy = cgroups.find_hierarchy()
    version = cgroups.describe(hierarchy)
    for controller, why in cgroups.available(hierarchy).items():
        purpose = {"memory": "memory limit, peak and OOM kills", "pids": "process limit (fork bombs)",
                   "cpuacct": "CPU of detached children"}[controller]
        if controller == "cpuacct" and version == "v2":
            purpose += " (cpu.stat)"
        layers.append(Layer(f"cgroup-{controller}", not why,
                            f"{version}, one group per worker: {purpose}" if not why else f"{version}: {why}"))
        if not why:
            controllers.append(controller)

    layers.append(Layer("rlimits", True, "CPU = TL + 1 s (a backstop: runs are killed at TL), output file size, core 0, open files, stack unlimited"))
    why = _subreaper()
    layers.append(Layer("subreaper", not why, "the judge reaps its boxes' orphans itself" if not why else why))
    return Isolation(bwrap=bwrap, setpriv=setpriv, seccomp=seccomp, controllers=tuple(controllers),
                     subreaper=True), layers


def missing(layers: list[Layer]) -> list[Layer]:
    return [layer for layer in layers if not layer.active]
