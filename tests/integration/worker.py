"""A separate import process for the concurrency tests.

Usage: python worker.py DB_URL GO_FILE FOLDER [reverse]. Waits for GO_FILE so several workers start
together, imports FOLDER with records built from each file's content ("835 TRACE N" or
"837 ISA13 N"), and prints the run as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import recordkit as f

from claimsdesk.services import import_attempt
from claimsdesk.services.imports import import_paths
from claimsdesk.storage.db import make_engine, make_session_factory
from parsers.records import Format, Record


def records(path: str | Path, fmt: Format | None = None) -> Iterator[Record]:
    kind, key, n = Path(path).read_text().split()[:3]
    pcns = [f"{key}-{i}" for i in range(int(n))]
    if kind == "835":
        yield from f.file_835(pcns, trace=key)
    else:
        yield from f.file_837(pcns, isa13=key)


def sniff(path: str | Path) -> Format:
    return Format.X12_835 if Path(path).read_text().startswith("835") else Format.X12_837P


def main() -> None:
    url, go, folder = sys.argv[1:4]
    files = sorted(Path(folder).iterdir())
    if sys.argv[4:] == ["reverse"]:  # meet the other worker head-on
        files.reverse()
    import_attempt.read_file = records  # type: ignore[assignment]
    import_attempt.sniff = sniff
    factory = make_session_factory(make_engine(url))
    while not Path(go).exists():
        time.sleep(0.005)
    run = import_paths(factory, files, batch_claims=50)
    print(json.dumps(run.to_dict()))


if __name__ == "__main__":
    main()
