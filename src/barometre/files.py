"""Files written whole or not at all: the one naming of partial files, shared by stages.

A file being written lives under a hidden name beside its final place,
``.<name>.<pid>-<token>.partiel``, and is renamed over the final name only once it is
complete (a rename is atomic on one file system). A process killed half-way
leaves such a partial file behind: :func:`sweep` removes those whose writer is gone at
the start of the next run, and :func:`ignore_partials` keeps them out of every copy, so a
partial file is never published. The writer's process id is in the name, so a sweep
never removes the file of a writer that is still running.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

SUFFIX = ".partiel"
_PARTIAL = re.compile(r"^\.(?P<name>.+)\.(?:(?P<pid>\d+)-)?(?P<token>[0-9a-f]+)\.partiel$")


def partial_path(final: Path, token: str | None = None) -> Path:
    """The hidden temporary name of ``final`` for this process (same folder)."""
    token = token or secrets.token_hex(4)
    return final.with_name(f".{final.name}.{os.getpid()}-{token}{SUFFIX}")


def is_partial(name: str) -> bool:
    """Whether ``name`` (a file name, not a path) is a partial file of this module."""
    return _PARTIAL.match(name) is not None


def _writer_alive(name: str) -> bool:
    found = _PARTIAL.match(name)
    if found is None or found["pid"] is None:  # not ours, or written before pids were named
        return False
    pid = int(found["pid"])
    if pid == os.getpid():
        return True
    if os.name != "posix":  # no harmless liveness probe: treat the writer as gone
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def sweep(folder: Path, *, only: str | None = None, recursive: bool = True) -> list[Path]:
    """Remove the partial files under ``folder`` whose writer is gone: all of them, or
    those of the final file name ``only``; in sub-folders too unless ``recursive=False``."""
    if not folder.is_dir():
        return []
    removed = []
    pattern = f".{glob.escape(only) if only else '*'}.*{SUFFIX}"
    found = folder.rglob(pattern) if recursive else folder.glob(pattern)
    for path in found:
        match = _PARTIAL.match(path.name)
        if match is None or (only is not None and match["name"] != only):
            continue
        if path.is_file() and not _writer_alive(path.name):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def ignore_partials(_folder: str, names: Iterable[str]) -> set[str]:
    """For :func:`shutil.copytree`: never copy a partial file."""
    return {name for name in names if is_partial(name)}


def discard(temporary: Path) -> None:
    """Remove a partial file after a failure, whatever happens (the failure that is being
    reported matters more; :func:`sweep` removes what is left)."""
    with contextlib.suppress(OSError):
        temporary.unlink(missing_ok=True)


def write_atomic(final: Path, data: bytes) -> None:
    """Write ``data`` to ``final`` so that readers see the old file or the new one, never
    a part of it (written and flushed under the partial name, then renamed)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = partial_path(final)
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(final)
    except BaseException:
        discard(temporary)
        raise
