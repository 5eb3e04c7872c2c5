"""Claiming the listening address: refused where anything listens, and once claimed, refused to every later
claim, while granian's `SO_REUSEPORT` listeners can still bind beside the claim."""

from __future__ import annotations

import socket

import pytest

from pageviews.adapters.inbound.address import AddressUnavailable, claim
from tests.support.redis_server import free_port


def reuseport_listener(port: int) -> socket.socket:
    """A listener bound the way granian's workers bind."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    return listener


def test_a_port_granian_already_listens_on_cannot_be_claimed() -> None:
    port = free_port()
    with reuseport_listener(port), pytest.raises(AddressUnavailable, match="already in use"):
        claim("127.0.0.1", port)


def test_a_claimed_port_cannot_be_claimed_again_before_anything_listens() -> None:
    port = free_port()
    with claim("127.0.0.1", port), pytest.raises(AddressUnavailable, match="already in use"):
        claim("127.0.0.1", port)


def test_granian_can_listen_beside_its_own_claim() -> None:
    port = free_port()
    with claim("127.0.0.1", port), reuseport_listener(port) as listener:
        assert port == listener.getsockname()[1]


def test_the_claim_is_released_when_closed() -> None:
    port = free_port()
    claim("127.0.0.1", port).close()
    claim("127.0.0.1", port).close()
