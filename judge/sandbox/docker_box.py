"""The Docker backend: one warm container per worker, with the same supervisor inside as its PID 1.

No image can be pulled on these machines, so the image is made locally with `docker import` of a
tiny root file system (empty mount points, /etc/passwd, the /bin -> usr/bin links); the system
directories with the toolchains are bind-mounted read-only, as in the local box. Each container:
no network, read-only root, no capabilities, no-new-privileges, uid 65534, memory and pids limits,
a tmpfs /tmp; the supervisor loads csim's seccomp filter on top of Docker's own. The container's
cgroups (found from its PID 1) give the memory peak, OOM kills and CPU as for a local box.
"""

from __future__ import annotations

import hashlib
import io
import os
import socket
import struct
import tarfile

from judge.sandbox.box import BASE_ENV, BOX, NOBODY, SCRATCH, SYSTEM_DIRS, SYSTEM_ETC, SYSTEM_LINKS, Box, BoxSpec, \
    supervisor_source
from judge.sandbox.cgroups import WorkerCgroup
from judge.sandbox.channel import Channel, SandboxDied
from judge.sandbox.layers import Layer
from judge.sandbox.seccomp import build_filter

IMAGE = "csim-judge-root"
TMPFS_SIZE = "1g"  # /tmp in a container; its pages count against the memory limit anyway
START_MEMORY = 4 << 30  # the limit a container starts with; each run sets its own


def _root_tar() -> bytes:
    """A minimal root file system: mount points, /etc/passwd and the merged-/usr links."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        def add_dir(name: str, mode: int = 0o755) -> None:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, mode, 0
            tar.addfile(info)

        for d in ("box", "artifacts", "proc", "dev", "sys", "etc", "usr"):
            add_dir(d)
        add_dir("tmp", 0o1777)
        for link in SYSTEM_LINKS:
            if os.path.islink(link):
                info = tarfile.TarInfo(link.lstrip("/"))
                info.type, info.linkname, info.mtime = tarfile.SYMTYPE, os.readlink(link), 0
                tar.addfile(info)
            elif os.path.isdir(link):
                add_dir(link.lstrip("/"))
        for name, text in (("etc/passwd", f"root:x:0:0::/root:/bin/sh\nnobody:x:{NOBODY}:{NOBODY}::/tmp:/bin/sh\n"),
                           ("etc/group", f"root:x:0:\nnogroup:x:{NOBODY}:\n")):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class DockerChannel(Channel):
    """The supervisor's stdin/stdout through an attached container socket (Docker multiplexes the
    output in frames: 1 byte stream, 3 padding, 4 bytes big-endian length)."""

    def __init__(self, sock: socket.socket):
        super().__init__(-1, -1)
        self._sock = sock
        self._raw = bytearray()

    def readable_fd(self) -> int:
        return self._sock.fileno()

    def write_all(self, data: bytes) -> None:
        self._sock.sendall(data)

    def read_chunk(self) -> bytes | None:
        chunk = self._sock.recv(1 << 16)
        if not chunk:
            return b""
        self._raw += chunk
        out = bytearray()
        while len(self._raw) >= 8:
            stream, size = self._raw[0], struct.unpack(">I", self._raw[4:8])[0]
            if len(self._raw) < 8 + size:
                break
            if stream == 1:
                out += self._raw[8:8 + size]
            del self._raw[:8 + size]
        return bytes(out) if out else None  # None: only part of a frame so far


class DockerBox(Box):
    def __init__(self, spec: BoxSpec, backend: "DockerBackend"):
        super().__init__(spec)
        self.backend = backend
        self.container = None
        self._sock = None
        self._pid: int | None = None

    @property
    def inside_dir(self) -> str:
        return BOX

    @property
    def scratch(self) -> list[str]:
        return list(SCRATCH)

    @property
    def idle_pids(self) -> int:
        return 1  # the supervisor

    def start(self) -> None:
        from docker.types import Mount, Ulimit

        spec = self.spec
        mounts = [Mount(d, d, type="bind", read_only=True) for d in SYSTEM_DIRS]
        mounts += [Mount(p, p, type="bind", read_only=True) for p in SYSTEM_ETC
                   if os.path.exists(p) and p not in ("/etc/passwd", "/etc/group")]
        mounts.append(Mount(BOX, str(spec.host_dir), type="bind"))
        mounts += [Mount(inside, host, type="bind", read_only=True) for host, inside in spec.ro_binds]
        env = {**BASE_ENV, **spec.env}  # the fast path's runs see this environment, as exec'd ones see theirs
        client = self.backend.client
        self.container = client.containers.create(
            self.backend.image, command=[spec.python, "-c", supervisor_source()], name=spec.name,
            labels={"csim-judge": self.backend.token}, stdin_open=True, tty=False, user=f"{NOBODY}:{NOBODY}",
            network_mode="none", read_only=True, working_dir=BOX, environment=env, mounts=mounts,
            tmpfs={"/tmp": f"rw,nosuid,nodev,size={TMPFS_SIZE},mode=1777"}, mem_limit=START_MEMORY,
            memswap_limit=-1, pids_limit=64, cap_drop=["ALL"], security_opt=["no-new-privileges"],
            ulimits=[Ulimit(name="stack", soft=-1, hard=-1), Ulimit(name="core", soft=0, hard=0)])
        try:
            raw = client.api.attach_socket(self.container.id, params={"stdin": 1, "stdout": 1, "stream": 1})
            self._sock = getattr(raw, "_sock", raw)
            self._sock.setblocking(True)
            self.container.start()
            self.channel = DockerChannel(self._sock)
            self._handshake(self.backend.seccomp, False)
            self.container.reload()
            self._pid = self.container.attrs["State"]["Pid"]
            self.cgroup = WorkerCgroup.of_process(self._pid)
        except Exception as e:
            detail = self._death_detail()
            self.close()
            if isinstance(e, SandboxDied):
                raise SandboxDied(f"{e}{detail}") from None
            raise

    def _death_detail(self) -> str:
        try:
            logs = self.container.logs(stdout=False, stderr=True, tail=5).decode(errors="replace").strip()
        except Exception:
            return ""
        return f" ({logs.splitlines()[-1][:300]})" if logs else ""

    def close(self) -> None:
        if self.cgroup is not None:
            self.cgroup.close()
            self.cgroup = None
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None
        if self.container is not None:
            try:
                self.container.remove(force=True)
            except Exception:
                pass
            self.container = None
        self.channel = None


class DockerBackend:
    """A connection to a Docker engine and the judge's image on it (a sandbox Backend)."""

    drop_uid = True  # every container runs as the unprivileged uid

    def __init__(self, url: str | None, token: str):
        import docker

        self.token = token
        try:
            self.client = docker.DockerClient(base_url=url) if url else docker.from_env()
            version = self.client.version()
        except Exception as e:
            raise RuntimeError(f"no Docker engine at {url or 'the default socket'}: {e}") from None
        self.image = self._ensure_image()
        self.seccomp = build_filter(pid_namespace=True)
        self.layers = [
            Layer("docker-engine", True, f"Docker {version.get('Version', '?')}, image {self.image} (docker import)"),
            Layer("container", True, "one warm container per worker: network none, read-only root, no capabilities, "
                                     "no-new-privileges, system bind-mounted read-only, tmpfs /tmp"),
            Layer("unprivileged-uid", True, f"runs as uid {NOBODY} (nobody)"),
            Layer("seccomp", True, f"csim's libseccomp filter ({len(self.seccomp) // 8} BPF instructions) on top "
                                   "of Docker's default profile"),
            Layer("cgroup-memory", True, "the container's group: memory limit, peak and OOM kills"),
            Layer("cgroup-pids", True, "the container's group: process limit"),
            Layer("cgroup-cpuacct", True, "the container's group: CPU of detached children"),
            Layer("rlimits", True, "CPU = TL + 1 s (a backstop: runs are killed at TL), output file size, core 0, open files, stack unlimited"),
        ]

    def _ensure_image(self) -> str:
        import docker

        data = _root_tar()
        tag = hashlib.sha256(data).hexdigest()[:12]
        name = f"{IMAGE}:{tag}"
        try:
            self.client.images.get(name)
        except docker.errors.ImageNotFound:
            self.client.api.import_image_from_data(data, repository=IMAGE, tag=tag)
        return name

    def box(self, spec: BoxSpec) -> DockerBox:
        return DockerBox(spec, self)

    def close(self) -> None:
        self.client.close()
