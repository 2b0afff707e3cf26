"""Is there a network at all? Checked before a capture, so that a machine without
Internet does not fill an edition with DNS failures that would then count as measured."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait


def _resolves(host: str) -> bool:
    try:
        return bool(socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM))
    except (OSError, UnicodeError):
        return False


def network_reachable(hosts: Sequence[str], timeout: float = 5.0) -> bool:
    """True when at least one of (up to five) official hosts resolves within ``timeout``."""
    sample = [h for h in hosts if h][:5]
    if not sample:
        return False
    pool = ThreadPoolExecutor(max_workers=len(sample))
    try:
        futures = [pool.submit(_resolves, host) for host in sample]
        done, _ = wait(futures, timeout=timeout)
        return any(f.result() for f in done)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
