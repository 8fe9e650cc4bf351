"""Writing a file so that a reader never sees half of it, and a failure leaves the old one."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``: renamed over it if the block ends well, removed if not."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".", suffix=target.suffix + ".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    os.chmod(tmp, 0o666 & ~_UMASK)      # the mode of a file written plainly, not mkstemp's 0600
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(target: Path, text: str) -> None:
    with replacing(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: Path, data: bytes) -> Path:
    with replacing(target) as tmp:
        tmp.write_bytes(data)
    return target
