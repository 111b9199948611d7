"""Folder walks pick up EDI files and leave an inbox's notes alone."""

from __future__ import annotations

from pathlib import Path

from claimsdesk.services.import_files import discover


def test_folder_walk_skips_notes_and_hidden_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "payer-a").mkdir(parents=True)
    for name in ("README.md", "readme.txt", "notes.rst", ".DS_Store", "payer-a/NOTES.md"):
        (inbox / name).write_text("not a claim")
    wanted = ["b.835", "payer-a/a.txt", "payer-a/eob.json"]
    for name in wanted:
        (inbox / name).write_text("ISA")
    assert [p.relative_to(inbox).as_posix() for p in discover([inbox])] == sorted(wanted)


def test_a_file_named_on_the_command_line_is_always_read(tmp_path: Path) -> None:
    note = tmp_path / "README.md"
    note.write_text("ISA")
    assert discover([note]) == [note]
