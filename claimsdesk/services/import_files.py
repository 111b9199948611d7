"""Files on disk for the import: finding them, hashing them, moving them without loss."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

CHUNK = 1 << 20
MAX_SUFFIX = 100_000
NOTES = (".md", ".rst")
"""Notes kept beside EDI files (an inbox's README.md): not looked at in a folder walk."""


def discover(paths: Iterable[Path | str], exclude: Path | None = None) -> list[Path]:
    """Files named, and files under folders named (recursive, sorted; hidden files, README*
    and Markdown/reST notes skipped in folders).

    Paths that do not exist are kept so the caller can report them. `exclude` (the --move-to
    folder) is never searched, so moved files are not picked up again.
    """
    out: list[Path] = []
    seen: set[Path] = set()
    skip = exclude.resolve() if exclude is not None else None
    for given in paths:
        path = Path(given)
        found = _walk(path, skip) if path.is_dir() else iter([path])
        for item in found:
            key = item.resolve() if item.exists() else item.absolute()
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out


def _walk(folder: Path, skip: Path | None) -> Iterator[Path]:
    """Regular, non-hidden files under `folder` in sorted order."""
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and (skip is None or (here / d).resolve() != skip)
        )
        for name in sorted(files):
            if not _is_note(name):
                yield here / name


def _is_note(name: str) -> bool:
    """Hidden files and notes a person keeps in an inbox; a file named on the command line is
    still read (and sniffed by content) whatever its name."""
    lower = name.lower()
    return name.startswith(".") or lower.startswith("readme") or lower.endswith(NOTES)


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 of the content and its size, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _candidates(folder: Path, name: str) -> Iterator[Path]:
    """name, then name-1, name-2 ... (suffix kept) in `folder`."""
    yield folder / name
    stem, dot, ext = name.partition(".")
    for n in range(1, MAX_SUFFIX):
        yield folder / (f"{stem}-{n}{dot}{ext}")


def move_into(path: Path, folder: Path) -> Path:
    """Move `path` into `folder` under a free name; never overwrites, never loses the file.

    A hard link claims the new name atomically (no clobbering); only then is the source
    unlinked. Across filesystems the file is first copied and synced beside its target.
    """
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return _link_then_unlink(path, folder, path)
    except OSError as exc:
        if not _cannot_link(exc):
            raise
    staging = folder / f".{path.name}.{os.getpid()}.partial"
    shutil.copyfile(path, staging)
    with open(staging, "rb") as fh:
        os.fsync(fh.fileno())
    try:
        target = _link_then_unlink(staging, folder, path, name_from=path.name)
    finally:
        if staging.exists():
            staging.unlink()
    path.unlink()
    return target


def _link_then_unlink(
    source: Path, folder: Path, original: Path, name_from: str | None = None
) -> Path:
    for target in _candidates(folder, name_from or original.name):
        try:
            os.link(source, target)
        except FileExistsError:
            continue
        source.unlink()
        return target
    raise OSError(f"no free name for {original.name} in {folder}")


def _cannot_link(exc: OSError) -> bool:
    """Hard links are impossible here (other filesystem, or not supported)."""
    import errno

    return exc.errno in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EMLINK, errno.EACCES)
