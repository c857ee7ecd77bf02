"""A cgroup per worker: memory limit and peak, OOM kills, a pids limit and CPU accounting, on the
v1 hierarchies or the unified v2 one (root-owned, or delegated to the judge's user).

Each worker's group is created under the judge's own group (so that whoever limits the judge also
limits its runs) and named by pid and worker, because several judges run at once on one machine.
The group is reused from run to run; its counters are reset (or read as a baseline) before each
run. The hot files stay open.

v1: one group per controller hierarchy (memory, pids, cpuacct); the peak and the CPU counter are
reset by writing 0. v2: one group in the unified hierarchy with the memory and pids controllers
enabled for it; the peak is reset by a write to memory.peak (Linux 6.12 and later; before that the
peak is since the box started, an upper bound), CPU is cpu.stat's usage_usec (present without the
cpu controller) less the baseline. Where both are mounted, v1 is used (its controllers are then not
available to v2).
"""

from __future__ import annotations

import errno
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

# The accounting csim uses, by its v1 controller names; on v2, "cpuacct" is cpu.stat.
CONTROLLERS = ("memory", "pids", "cpuacct")


@dataclass(frozen=True)
class Hierarchy:
    """Where worker groups are made. VERSION 1: PARENTS maps each mounted controller to the
    judge's group in its hierarchy; VERSION 2: every controller maps to the judge's one group."""

    version: int
    parents: dict[str, Path]


def find_hierarchy(mounts: str | None = None, own: str | None = None) -> Hierarchy | None:
    """The cgroup hierarchy the judge can use, from the text of /proc/self/mounts and
    /proc/self/cgroup (read here when not given); None when no cgroup file system is mounted."""
    if mounts is None:
        mounts = _read("/proc/self/mounts")
    if own is None:
        own = _read("/proc/self/cgroup")
    v1_paths, v2_path = {}, None
    for line in own.splitlines():
        hid, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if hid == "0" and controllers == "":
            v2_path = path
        for c in controllers.split(","):
            if c in CONTROLLERS:
                v1_paths[c] = path
    v1, v2 = {}, None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[2] == "cgroup":
            for option in parts[3].split(","):
                if option in CONTROLLERS:
                    v1[option] = Path(parts[1]) / v1_paths.get(option, "/").lstrip("/")
        elif len(parts) >= 3 and parts[2] == "cgroup2" and v2 is None:
            v2 = Path(parts[1]) / (v2_path or "/").lstrip("/")
    if v1:
        return Hierarchy(1, v1)
    if v2 is not None:
        return Hierarchy(2, {c: v2 for c in CONTROLLERS})
    return None


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def available(h: Hierarchy | None) -> dict[str, str]:
    """Each controller -> "" when a worker group with it can be made under the judge's (in
    hierarchy H, see find_hierarchy), else why not."""
    out = {}
    for c in CONTROLLERS:
        if h is None:
            out[c] = "no cgroup file system is mounted (v1 or v2)"
        elif c not in h.parents:
            out[c] = f"no cgroup v1 hierarchy with the {c} controller is mounted"
        elif not os.access(h.parents[c], os.W_OK):
            out[c] = f"cannot create groups in {h.parents[c]} (not writable; run the judge as root or delegate it)"
        elif h.version == 2 and c != "cpuacct" and c not in _read(h.parents[c] / "cgroup.controllers").split():
            out[c] = f"the {c} controller is not available in {h.parents[c]} (cgroup v2: not delegated here)"
        else:
            out[c] = ""
    return out


def describe(h: Hierarchy | None) -> str:
    """Which cgroup version is in use, for `csim judge doctor`."""
    return "none" if h is None else f"v{h.version}"


# A worker's group: csim-<judge pid>-<judge token>-<role><n> (see judge.runner).
STALE = re.compile(r"^csim-(\d+)-[0-9a-f]{6}-")


def sweep_stale() -> int:
    """Remove the (empty) groups of judges that died without closing; returns how many."""
    h = find_hierarchy()
    removed = 0
    for parent in set(h.parents.values()) if h else ():
        try:
            entries = list(parent.iterdir())
        except OSError:
            continue
        for entry in entries:
            m = STALE.match(entry.name)
            if m and entry.is_dir() and not Path(f"/proc/{m.group(1)}").exists():
                try:
                    entry.rmdir()
                    removed += 1
                except OSError:  # still busy, or not ours to remove
                    pass
    return removed


@dataclass
class Sample:
    peak: int  # bytes, the group's high-water mark since reset
    oom_kills: int  # cumulative
    cpu_ns: int  # since reset


class WorkerCgroup:
    """The groups of one worker in every available controller (v1). Missing controllers are skipped."""

    version = 1

    def __init__(self, dirs: dict[str, Path], owned: bool):
        self.dirs = dirs  # controller -> group directory
        self.owned = owned  # True: we made it and remove it on close
        self._fds: dict[str, int] = {}
        self._limit: int | None = None
        self._pids: int | None = None

    @classmethod
    def create(cls, name: str, controllers: list[str], hierarchy: Hierarchy | None = None) -> "WorkerCgroup":
        h = find_hierarchy() if hierarchy is None else hierarchy
        if h is not None and h.version == 2:
            return WorkerCgroupV2.create(name, controllers, h)
        dirs = {}
        try:
            for c in controllers:
                d = h.parents[c] / name
                d.mkdir(exist_ok=True)
                dirs[c] = d
        except OSError:
            cls(dirs, True).close()
            raise
        group = cls(dirs, True)
        if "memory" in dirs:
            # Never swap a run out to stay under its limit (there is no swap here, but be sure).
            group._write("memory", "memory.swappiness", "0", missing_ok=True)
        return group

    @classmethod
    def of_process(cls, pid: int) -> "WorkerCgroup":
        """The groups another process already lives in (a Docker container's); not ours to remove."""
        h = find_hierarchy(own=_read(f"/proc/{pid}/cgroup"))
        if h is not None and h.version == 2:
            return WorkerCgroupV2(next(iter(h.parents.values())), False)
        return cls(dict(h.parents) if h else {}, False)

    @property
    def procs_files(self) -> list[str]:
        return sorted({str(d / "cgroup.procs") for d in self.dirs.values()})

    def _fd(self, controller: str, name: str) -> int:
        key = f"{controller}/{name}"
        if key not in self._fds:
            self._fds[key] = os.open(self.dirs[controller] / name, os.O_RDWR)
        return self._fds[key]

    def _write(self, controller: str, name: str, value: str, missing_ok: bool = False) -> None:
        try:
            os.pwrite(self._fd(controller, name), value.encode(), 0)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def _read(self, controller: str, name: str) -> str:
        return os.pread(self._fd(controller, name), 4096, 0).decode()

    def _field(self, controller: str, name: str, key: str) -> int:
        """KEY's value in a flat-keyed file ("key value" lines), 0 when absent."""
        for line in self._read(controller, name).splitlines():
            if line.startswith(key + " "):
                return int(line.split()[1])
        return 0

    def set_limits(self, memory: int | None, pids: int | None) -> None:
        if memory is not None and "memory" in self.dirs and memory != self._limit:
            self._write("memory", "memory.limit_in_bytes", str(memory))
            self._limit = memory
        if pids is not None and "pids" in self.dirs and pids != self._pids:
            self._write("pids", "pids.max", str(pids))
            self._pids = pids

    def reset(self) -> Sample:
        """Reset the peak and CPU counters before a run; returns the memory in use now (the
        baseline, as the peak) and the OOM kills so far."""
        baseline = 0
        if "memory" in self.dirs:
            self._write("memory", "memory.max_usage_in_bytes", "0")  # resets the peak to current usage
            baseline = int(self._read("memory", "memory.max_usage_in_bytes"))
        if "cpuacct" in self.dirs:
            self._write("cpuacct", "cpuacct.usage", "0")
        return Sample(baseline, self._oom_kills(), 0)

    def sample(self) -> Sample:
        peak = cpu = 0
        if "memory" in self.dirs:
            peak = int(self._read("memory", "memory.max_usage_in_bytes"))
        if "cpuacct" in self.dirs:
            cpu = int(self._read("cpuacct", "cpuacct.usage"))
        return Sample(peak, self._oom_kills(), cpu)

    def _oom_kills(self) -> int:
        return self._field("memory", "memory.oom_control", "oom_kill") if "memory" in self.dirs else 0

    def close(self, timeout: float = 5.0) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
        if not self.owned:
            return
        deadline = time.monotonic() + timeout
        for d in sorted(set(self.dirs.values())):
            while True:
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as e:  # EBUSY while the last tasks are being reaped
                    if e.errno != errno.EBUSY or time.monotonic() > deadline:
                        raise
                    time.sleep(0.01)


class WorkerCgroupV2(WorkerCgroup):
    """One worker's group in the unified (v2) hierarchy: the same files by their v2 names."""

    version = 2

    def __init__(self, directory: Path, owned: bool, controllers: tuple[str, ...] = CONTROLLERS):
        super().__init__({c: directory for c in controllers}, owned)
        self._cpu_base = 0
        self.peak_resets = True  # False: memory.peak cannot be reset here (Linux < 6.12), it is since start

    @classmethod
    def create(cls, name: str, controllers: list[str], hierarchy: Hierarchy | None = None) -> "WorkerCgroupV2":
        h = find_hierarchy() if hierarchy is None else hierarchy
        parent = next(iter(h.parents.values()))
        wanted = [c for c in controllers if c in ("memory", "pids")]
        _enable(parent, wanted)
        d = parent / name
        d.mkdir(exist_ok=True)
        group = cls(d, True, tuple(controllers))
        if "memory" in group.dirs:
            group._write("memory", "memory.swap.max", "0", missing_ok=True)
        return group

    def set_limits(self, memory: int | None, pids: int | None) -> None:
        if memory is not None and "memory" in self.dirs and memory != self._limit:
            self._write("memory", "memory.max", str(memory))
            self._limit = memory
        if pids is not None and "pids" in self.dirs and pids != self._pids:
            self._write("pids", "pids.max", str(pids))
            self._pids = pids

    def reset(self) -> Sample:
        baseline = 0
        if "memory" in self.dirs:
            baseline = int(self._read("memory", "memory.current"))
            if self.peak_resets:
                try:  # any write resets the peak, for reads through this descriptor (Linux 6.12)
                    os.pwrite(self._fd("memory", "memory.peak"), b"reset", 0)
                except OSError:
                    self.peak_resets = False
            if not self.peak_resets:
                baseline = min(baseline, self._peak())
        if "cpuacct" in self.dirs:
            self._cpu_base = self._field("cpuacct", "cpu.stat", "usage_usec")
        return Sample(baseline, self._oom_kills(), 0)

    def _peak(self) -> int:
        return int(self._read("memory", "memory.peak"))

    def sample(self) -> Sample:
        peak = self._peak() if "memory" in self.dirs else 0
        cpu = 0
        if "cpuacct" in self.dirs:
            cpu = (self._field("cpuacct", "cpu.stat", "usage_usec") - self._cpu_base) * 1000
        return Sample(peak, self._oom_kills(), cpu)

    def _oom_kills(self) -> int:
        return self._field("memory", "memory.events", "oom_kill") if "memory" in self.dirs else 0


def _enable(parent: Path, controllers: list[str]) -> None:
    """Enable CONTROLLERS for the children of PARENT (v2). A group with processes of its own cannot
    (the no-internal-processes rule) unless it is the root: then the judge moves itself into a
    leaf of its own first, as container runtimes do in a delegated group."""
    enabled = _read(parent / "cgroup.subtree_control").split()
    missing = [c for c in controllers if c not in enabled]
    if not missing:
        return
    change = " ".join(f"+{c}" for c in missing)
    try:
        (parent / "cgroup.subtree_control").write_text(change)
    except OSError as e:
        if e.errno != errno.EBUSY:
            raise
        leaf = parent / f"csim-{os.getpid()}-judge"
        leaf.mkdir(exist_ok=True)
        (leaf / "cgroup.procs").write_text(str(os.getpid()))
        (parent / "cgroup.subtree_control").write_text(change)
