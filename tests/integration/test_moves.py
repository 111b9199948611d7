"""--move-to: processed/duplicate/rejected after the commit, no file ever lost or overwritten."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
import recordkit as f
from dbkit import count_rows
from fakes import FakeReader
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services import import_files, import_moves
from claimsdesk.services.imports import import_paths
from claimsdesk.storage.models.ingest import ImportFile

SF = sessionmaker[Session]


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_files_go_to_processed_duplicate_and_rejected(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    fake.write(inbox / "a.835", f.file_835(["P1"]), content="A")
    (inbox / "copy-of-a.835").write_text("A")
    fake.write(inbox / "bad.835", [*f.file_835(["P2"], trace="T2"), f.error()])
    run = import_paths(session_factory, [inbox], move_to=out)
    assert [r.status for r in run.files] == ["imported", "rejected", "duplicate"]
    assert names(inbox) == []
    assert names(out / "processed") == ["a.835"]
    assert names(out / "rejected") == ["bad.835"]
    assert names(out / "duplicate") == ["copy-of-a.835"]
    with session_factory() as s:
        moved = {r.status: r.moved_to for r in s.scalars(select(ImportFile))}
    assert moved == {
        "imported": str((out / "processed" / "a.835").resolve()),
        "rejected": str((out / "rejected" / "bad.835").resolve()),
    }


def test_name_clashes_get_a_suffix_and_nothing_is_overwritten(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    (out / "processed").mkdir(parents=True)
    (out / "processed" / "a.835").write_text("older file")
    (out / "processed" / "a-1.835").write_text("older file 2")
    fake.write(inbox / "a.835", f.file_835(["P1"]))
    import_paths(session_factory, [inbox], move_to=out)
    assert names(out / "processed") == ["a-1.835", "a-2.835", "a.835"]
    assert (out / "processed" / "a.835").read_text() == "older file"


def test_a_crash_between_commit_and_move_neither_loses_nor_double_imports(
    session_factory: SF,
    engine: Engine,
    fake: FakeReader,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    fake.write(inbox / "a.835", f.file_835(["P1", "P2"]))

    def crash(path: Path, folder: Path) -> Path:
        raise KeyboardInterrupt  # the process dies right after the commit

    monkeypatch.setattr(import_moves, "move_into", crash)
    with pytest.raises(KeyboardInterrupt):
        import_paths(session_factory, [inbox], move_to=out)
    assert names(inbox) == ["a.835"] and count_rows(engine, "claim_payments") == 2
    monkeypatch.setattr(import_moves, "move_into", import_files.move_into)
    (result,) = import_paths(session_factory, [inbox], move_to=out).files
    assert result.status == "duplicate"
    assert names(inbox) == [] and names(out / "processed") == ["a.835"]
    assert count_rows(engine, "claim_payments") == 2
    with session_factory() as s:
        assert s.scalars(select(ImportFile.moved_to)).one() == str(
            (out / "processed" / "a.835").resolve()
        )


def test_the_move_to_folder_inside_the_inbox_is_not_searched(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    inbox = tmp_path / "in"
    fake.write(inbox / "a.835", f.file_835(["P1"]))
    fake.write(inbox / ".hidden.835", f.file_835(["P9"], trace="T9"))
    assert [
        r.status for r in import_paths(session_factory, [inbox], move_to=inbox / "done").files
    ] == ["imported"]
    assert import_paths(session_factory, [inbox], move_to=inbox / "done").files == []
    assert names(inbox / "done" / "processed") == ["a.835"]


def test_move_falls_back_to_copy_across_filesystems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "a.835"
    src.write_text("content")
    real_link = os.link

    def link(a: str | Path, b: str | Path) -> None:
        if Path(a) == src:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_link(a, b)

    monkeypatch.setattr(import_files.os, "link", link)
    (tmp_path / "dest").mkdir()
    (tmp_path / "dest" / "a.835").write_text("taken")
    target = import_files.move_into(src, tmp_path / "dest")
    assert target.name == "a-1.835" and target.read_text() == "content" and not src.exists()
    assert names(tmp_path / "dest") == ["a-1.835", "a.835"]
