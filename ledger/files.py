"""Private files: the data directory is 0700 and everything Credence writes in it 0600."""

from __future__ import annotations

import os
from pathlib import Path


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make it 0700, whatever the umask."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` atomically to a 0600 file (a crash leaves the old file or the new)."""
    private_dir(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


def restrict_tree(root: Path) -> None:
    """Directories 0700 and files 0600 under ``root`` (the SQLite files, node state, ...)."""
    if not root.exists():
        return
    root.chmod(0o700)
    for current, dirs, files in os.walk(root):
        for name in dirs:
            Path(current, name).chmod(0o700)
        for name in files:
            target = Path(current, name)
            if not target.is_symlink():
                target.chmod(0o600)
