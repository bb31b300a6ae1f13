"""Take the network away from the threads that run SPARQL, so that SERVICE and LOAD cannot go out.

Oxigraph (pyoxigraph) carries its own HTTP client: ``SERVICE <url>`` in a query and ``LOAD <url>`` in an
update make it connect, and no text check in front of the engine can be trusted to see every spelling
(``\\u`` escapes, comments, case). Instead the thread that calls the engine installs a seccomp filter
(through libseccomp, via ctypes) under which ``socket(AF_INET|AF_INET6, ...)`` fails with ``EACCES``.
The filter holds for that thread and every thread it starts, cannot be removed, and does not touch the
rest of the process: the query workers install it at start (before pyoxigraph is imported), the update
thread of the server installs it for itself. Unix sockets (the pipes to the workers) keep working.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import socket

__all__ = ["SandboxError", "deny_network"]

_SCMP_ACT_ALLOW = 0x7FFF0000
_SCMP_ACT_ERRNO = 0x00050000
_SCMP_CMP_EQ = 4


class SandboxError(RuntimeError):
    """The network could not be taken away (no libseccomp, or the kernel refused the filter)."""


class _ArgCmp(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def _libseccomp() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError as exc:
        raise SandboxError(f"libseccomp is not installed ({exc}); install the libseccomp2 package") from exc
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.restype = ctypes.c_int
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_load.restype = ctypes.c_int
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.restype = None
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    return lib


def deny_network() -> None:
    """From now on, this thread (and threads it starts) cannot open IPv4 or IPv6 sockets.

    Raises :class:`SandboxError` when the filter cannot be installed; callers must then refuse to run
    queries rather than run them with the network reachable.
    """
    lib = _libseccomp()
    ctx = lib.seccomp_init(_SCMP_ACT_ALLOW)
    if not ctx:
        raise SandboxError("seccomp_init failed")
    try:
        nr = lib.seccomp_syscall_resolve_name(b"socket")
        if nr < 0:
            raise SandboxError("seccomp cannot resolve the socket system call")
        deny = _SCMP_ACT_ERRNO | errno.EACCES
        for family in (socket.AF_INET, socket.AF_INET6):
            cmp = _ArgCmp(0, _SCMP_CMP_EQ, int(family), 0)
            rc = lib.seccomp_rule_add_array(ctx, deny, nr, 1, ctypes.byref(cmp))
            if rc < 0:
                raise SandboxError(f"seccomp_rule_add failed ({-rc})")
        rc = lib.seccomp_load(ctx)
        if rc < 0:
            raise SandboxError(f"seccomp_load failed ({-rc})")
    finally:
        lib.seccomp_release(ctx)
