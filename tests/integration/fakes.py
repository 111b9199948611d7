"""A stand-in for parsers.read_file and sniff: hand-built records served per file content."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from parsers.records import Format, Record

Records = Iterable[Record] | Callable[[], Iterator[Record]]


class FakeReader:
    """Serves records for files by their content, as parsers.read_file would."""

    def __init__(self) -> None:
        self.streams: dict[str, tuple[Records, Format]] = {}

    def write(
        self, path: Path, records: Records, fmt: Format = Format.X12_835, content: str | None = None
    ) -> Path:
        """Write a file whose content names it, and serve `records` for that content."""
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if content is not None else f"FAKE {path.name} {len(self.streams)}\n"
        path.write_text(text)
        self.streams[text] = (records, fmt)
        return path

    def _lookup(self, path: str | Path) -> tuple[Records, Format]:
        return self.streams[Path(path).read_text()]

    def read_file(self, path: str | Path, fmt: Format | None = None) -> Iterator[Record]:
        records, _ = self._lookup(path)
        yield from (records() if callable(records) else records)

    def sniff(self, path: str | Path) -> Format:
        text = Path(path).read_text(errors="replace")
        return self.streams[text][1] if text in self.streams else Format.UNKNOWN
