"""The guard that keeps every test on the loopback (tests/network_guard.py)."""

from __future__ import annotations

import socket

import pytest

import network_guard


def test_a_name_outside_the_sample_web_is_never_connected_to() -> None:
    with socket.socket() as sock, pytest.raises(network_guard.OutsideLoopback):
        sock.connect(("www.googletagmanager.com", 443))
    assert network_guard.attempts == ["www.googletagmanager.com:443"]
    network_guard.attempts.clear()  # recorded on purpose here


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("www.ville-exemple.test", False),
    ],
)
def test_only_loopback_addresses_pass(host: str, loopback: bool) -> None:
    assert network_guard.is_loopback(host) is loopback


def test_a_loopback_server_is_still_reached() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=5) as client:
            assert client.getpeername() == server.getsockname()
