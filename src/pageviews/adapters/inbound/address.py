"""Claiming the listening address before granian starts, because granian's workers bind with `SO_REUSEPORT`:
a second server on a port already in use would start without an error and split the traffic.

`claim()` first binds a probe the way an ordinary server does (`SO_REUSEADDR`, no `SO_REUSEPORT`): the kernel
refuses it when anything listens there, granian's workers included. It then keeps a guard bound for the life
of the process: bound with `SO_REUSEPORT` only and never listening, it receives no connection, lets granian's
workers bind beside it, and makes every later probe fail at once, before any worker of ours is listening. The
only race left is between one process's probe and its guard, microseconds apart."""

from __future__ import annotations

import errno
import socket


class AddressUnavailable(Exception):
    """The address cannot be served on; the message says why, for an operator."""


def claim(host: str, port: int) -> socket.socket:
    """The guard socket (close it when serving ends), or `AddressUnavailable`."""
    family, address = _resolve(host, port)
    where = f"{host}:{port}"
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise AddressUnavailable(_why(where, exc)) from exc
    return _guard(family, address)


def _guard(
    family: socket.AddressFamily, address: tuple[str, int] | tuple[str, int, int, int]
) -> socket.socket:
    guard = socket.socket(family, socket.SOCK_STREAM)
    guard.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        guard.bind(address)
    except OSError:
        # Connections of an earlier run in TIME_WAIT refuse a bind without SO_REUSEADDR. With it, the guard
        # still lets granian bind but no longer stops another probe: the workers will, once they listen.
        guard.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        guard.bind(address)
    return guard


def _resolve(
    host: str, port: int
) -> tuple[socket.AddressFamily, tuple[str, int] | tuple[str, int, int, int]]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise AddressUnavailable(f"cannot serve on {host}:{port}: {host!r} is not a known address") from exc
    family, _, _, _, address = infos[0]
    return family, address  # type: ignore[return-value]  # getaddrinfo's stub widens the address to any tuple


def _why(where: str, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"cannot serve on {where}: the address is already in use (another server listens there)"
    if exc.errno == errno.EACCES:
        return f"cannot serve on {where}: permission denied (ports below 1024 need privileges)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot serve on {where}: the host is not an address of this machine"
    return f"cannot serve on {where}: {exc.strerror or exc}"
