"""A cgroup (v1) per worker: memory limit and peak, OOM kills, a pids limit and CPU accounting.

Each worker's group is created under the judge's own group in each hierarchy (so that whoever
limits the judge also limits its runs) and named by pid and worker, because several judges run at
once on one machine. The group is reused from run to run: the peak and the CPU counter are reset
by writing 0 before each run (cgroup v1 allows both). The hot files stay open.

cgroup v2 is not used: on these machines no v2 controller is delegated (see `csim judge doctor`).
"""

from __future__ import annotations

import errno
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

CONTROLLERS = ("memory", "pids", "cpuacct")


def _mounts() -> dict[str, Path]:
    """Controller -> mount point of its v1 hierarchy."""
    found = {}
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        parts = line.split()
        if len(parts) >= 4 and parts[2] == "cgroup":
            for option in parts[3].split(","):
                if option in CONTROLLERS:
                    found[option] = Path(parts[1])
    return found


def _own_paths(pid: int | str = "self") -> dict[str, str]:
    """Controller -> this process's group path in that hierarchy."""
    paths = {}
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return paths
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for c in controllers.split(","):
            if c in CONTROLLERS:
                paths[c] = path
    return paths


def available() -> dict[str, str]:
    """Each controller -> "" when a child group can be made under ours, else why not."""
    mounts, own = _mounts(), _own_paths()
    out = {}
    for c in CONTROLLERS:
        if c not in mounts:
            out[c] = f"no cgroup v1 hierarchy with the {c} controller is mounted"
            continue
        parent = mounts[c] / own.get(c, "/").lstrip("/")
        if not os.access(parent, os.W_OK):
            out[c] = f"cannot create groups in {parent} (not writable; run the judge as root)"
            continue
        out[c] = ""
    return out


# A worker's group: csim-<judge pid>-<judge token>-<role><n> (see judge.runner).
STALE = re.compile(r"^csim-(\d+)-[0-9a-f]{6}-")


def sweep_stale() -> int:
    """Remove the (empty) groups of judges that died without closing; returns how many."""
    mounts, own = _mounts(), _own_paths()
    removed = 0
    for c, mount in mounts.items():
        parent = mount / own.get(c, "/").lstrip("/")
        try:
            entries = list(parent.iterdir())
        except OSError:
            continue
        for entry in entries:
            m = STALE.match(entry.name)
            if m and not Path(f"/proc/{m.group(1)}").exists():
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
    """The groups of one worker in every available controller. Missing controllers are skipped."""

    def __init__(self, dirs: dict[str, Path], owned: bool):
        self.dirs = dirs  # controller -> group directory
        self.owned = owned  # True: we made it and remove it on close
        self._fds: dict[str, int] = {}
        self._limit: int | None = None
        self._pids: int | None = None

    @classmethod
    def create(cls, name: str, controllers: list[str]) -> "WorkerCgroup":
        mounts, own = _mounts(), _own_paths()
        dirs = {}
        try:
            for c in controllers:
                d = mounts[c] / own.get(c, "/").lstrip("/") / name
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
        mounts, paths = _mounts(), _own_paths(pid)
        return cls({c: mounts[c] / paths[c].lstrip("/") for c in CONTROLLERS if c in mounts and c in paths}, False)

    @property
    def procs_files(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs.values()]

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
        if "memory" in self.dirs:
            for line in self._read("memory", "memory.oom_control").splitlines():
                if line.startswith("oom_kill "):
                    return int(line.split()[1])
        return 0

    def close(self, timeout: float = 5.0) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
        if not self.owned:
            return
        deadline = time.monotonic() + timeout
        for d in self.dirs.values():
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
