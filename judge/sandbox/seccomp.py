"""The seccomp filter every sandboxed program runs under, built with the real libseccomp.

Built once in the judge (libseccomp.so.2 through ctypes) and exported as a classic BPF program,
which the supervisor loads on itself before any run, so every run inherits it whatever the
backend (bubblewrap, Docker or none). The default is to allow: the filter only takes away what a
contest program never needs and a hostile one would use.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
from dataclasses import dataclass
from functools import cache

# Denied with EPERM: networking beyond AF_UNIX, debugging other processes, namespaces and
# mounts, kernel keyrings, BPF, io_uring (a second syscall path that seccomp cannot see into),
# other processes' memory, kernel modules, and the machine's clock, swap and power.
DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "move_mount", "open_tree",
    "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr",
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "reboot", "init_module", "finit_module", "delete_module",
    "swapon", "swapoff", "acct", "quotactl", "syslog", "vhangup", "iopl", "ioperm",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname",
    "open_by_handle_at", "name_to_handle_at", "fanotify_init", "lookup_dcookie", "uselib",
    "mbind", "migrate_pages", "move_pages", "set_mempolicy",
    # POSIX message queues outlive their run in the box's IPC namespace, and no file system in the
    # box lists them (System V objects are seen in /proc/sysvipc and make the box be replaced).
    "mq_open",
)
# Answered with ENOSYS so that glibc falls back to clone(), where the flags can be inspected
# (seccomp cannot read clone3's flags, which sit in memory); EPERM would break threads.
ENOSYS_CALLS = ("clone3",)

_CLONE_NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
_AF_UNIX = 1

_SCMP_ACT_ALLOW = 0x7FFF0000
_SCMP_CMP_NE = 1
_SCMP_CMP_MASKED_EQ = 7


def _errno_action(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


@dataclass(frozen=True)
class Rule:
    syscall: str
    errno: int
    args: tuple[tuple[int, int, int, int], ...] = ()  # (arg index, op, datum_a, datum_b)


def rules(pid_namespace: bool = True) -> list[Rule]:
    """The rules; without a PID namespace, kill(-1) is denied too (it would reach every process
    of the sandbox's uid on the machine; inside a namespace the supervisor itself needs it)."""
    out = [Rule(name, errno.EPERM) for name in DENIED]
    out += [Rule(name, errno.ENOSYS) for name in ENOSYS_CALLS]
    # Sockets only for local pairs (some runtimes use socketpair); no network of any kind.
    out.append(Rule("socket", errno.EACCES, ((0, _SCMP_CMP_NE, _AF_UNIX, 0),)))
    # No new namespaces through clone() either (one rule per flag: libseccomp ANDs a rule's args).
    out += [Rule("clone", errno.EPERM, ((0, _SCMP_CMP_MASKED_EQ, flag, flag),)) for flag in _CLONE_NAMESPACE_FLAGS]
    for name in ("kill", "tkill") if not pid_namespace else ():
        out.append(Rule(name, errno.EPERM, ((0, _SCMP_CMP_MASKED_EQ, 0xFFFFFFFF, 0xFFFFFFFF),)))
    return out


@cache
def _libseccomp():
    path = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    lib = ctypes.CDLL(path, use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgCmp)]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    return lib


@cache
def build_filter(pid_namespace: bool = True) -> bytes:
    """The filter as a classic BPF program (struct sock_filter[]), ready for PR_SET_SECCOMP.
    Raises OSError when libseccomp is missing or refuses a rule."""
    lib = _libseccomp()
    ctx = lib.seccomp_init(_SCMP_ACT_ALLOW)
    if not ctx:
        raise OSError("seccomp_init failed")
    try:
        for rule in rules(pid_namespace):
            nr = lib.seccomp_syscall_resolve_name(rule.syscall.encode())
            if nr < 0:  # unknown to this libseccomp/arch: nothing to deny
                continue
            args = (_ArgCmp * max(len(rule.args), 1))(*[_ArgCmp(*a) for a in rule.args])
            rc = lib.seccomp_rule_add_array(ctx, _errno_action(rule.errno), nr, len(rule.args), args)
            if rc < 0:
                raise OSError(-rc, f"libseccomp refused the rule for {rule.syscall}")
        fd = os.memfd_create("csim-seccomp")
        try:
            rc = lib.seccomp_export_bpf(ctx, fd)
            if rc < 0:
                raise OSError(-rc, "seccomp_export_bpf failed")
            os.lseek(fd, 0, os.SEEK_SET)
            chunks = []
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)
    finally:
        lib.seccomp_release(ctx)
