"""--move-to: after a file's commit, move it to processed/, duplicate/ or rejected/.

The move happens only after the commit. A crash between the two leaves the file where it was;
the next run finds its content already imported from that same path with no move recorded and
moves it to processed/ then. No file is overwritten: name clashes get a -N suffix.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services.import_attempt import Done
from claimsdesk.services.import_files import move_into
from claimsdesk.storage.models.ingest import ImportFile

FOLDERS = ("processed", "duplicate", "rejected")


def record_move(
    session_factory: sessionmaker[Session], path: Path, move_to: Path, done: Done
) -> Path | None:
    """Move the file into its folder under move_to; note the new place on the file's row."""
    if done.folder is None or not path.exists():
        return None
    target = move_into(path, move_to / done.folder)
    if done.record and done.sha256:
        with session_factory() as session:
            session.execute(
                update(ImportFile)
                .where(ImportFile.sha256 == done.sha256)
                .values(moved_to=str(target.resolve()))
            )
            session.commit()
    return target
