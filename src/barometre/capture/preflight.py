"""Is there a network at all? Checked before a capture, so that a machine without
Internet does not fill an edition with failures that would then count as measured."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait

from barometre.net.guard import AddressPolicy


def _reachable(host: str, policy: AddressPolicy, timeout: float) -> bool:
    """The host resolves to an address the guard accepts, and its port 443 answers."""
    try:
        infos = socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    for family, kind, proto, _, address in infos:
        if not policy.permits(str(address[0])):
            continue
        try:
            with socket.socket(family, kind, proto) as sock:
                sock.settimeout(timeout)
                sock.connect(address)
                return True
        except OSError:
            continue
    return False


def network_reachable(
    hosts: Sequence[str], timeout: float = 5.0, policy: AddressPolicy | None = None
) -> bool:
    """True when at least one of (up to five) official hosts answers within ``timeout``."""
    sample = [h for h in hosts if h][:5]
    if not sample:
        return False
    guard = policy or AddressPolicy()
    pool = ThreadPoolExecutor(max_workers=len(sample))
    try:
        futures = [pool.submit(_reachable, host, guard, timeout) for host in sample]
        done, _ = wait(futures, timeout=timeout * 2)
        return any(f.result() for f in done)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
