"""Teams: users join the teams that queues.toml names; a user in no team works every queue."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from claimsdesk.services import audit
from claimsdesk.services.users import Account
from claimsdesk.services.worklist_actions import is_manager, user_row, writing
from claimsdesk.services.worklist_sync import queue_book
from claimsdesk.services.worklist_types import BadInput, NotAllowed
from claimsdesk.storage.models.base import table_of
from claimsdesk.storage.models.worklist import TeamMember

TM = table_of(TeamMember)


def known_teams() -> tuple[str, ...]:
    """Teams the queues name, in queue order."""
    return tuple(dict.fromkeys(q.team for q in queue_book().queues))


def user_teams(session: Session, user_id: int) -> tuple[str, ...]:
    """The teams a user belongs to (none = works every queue)."""
    query = select(TM.c.team).where(TM.c.user_id == user_id).order_by(TM.c.team)
    return tuple(session.scalars(query))


def user_queues(session: Session, user_id: int) -> tuple[str, ...] | None:
    """Queue names of the user's teams; None when the user is in no team (every queue)."""
    teams = set(user_teams(session, user_id))
    if not teams:
        return None
    return tuple(q.name for q in queue_book().queues if q.team in teams)


def set_teams(
    session: Session, user_id: int, teams: Iterable[str], *, by: Account
) -> tuple[str, ...]:
    """Replace a user's teams (managers only); an empty list means every queue."""
    if not is_manager(by):
        raise NotAllowed("Only a manager may change teams.")
    wanted = sorted({t.strip() for t in teams if t.strip()})
    unknown = [t for t in wanted if t not in known_teams()]
    if unknown:
        raise BadInput(f"Unknown team {unknown[0]!r}; teams: {', '.join(known_teams())}.")
    with writing(session):
        target = user_row(session, user_id)
        conn = session.connection()
        conn.execute(delete(TM).where(TM.c.user_id == user_id))
        if wanted:
            conn.execute(insert(TM), [{"user_id": user_id, "team": t} for t in wanted])
        audit.add_event(
            session,
            by,
            "worklist.teams",
            "user",
            user_id,
            {"username": target.username, "teams": wanted},
        )
    return tuple(wanted)


__all__ = ["known_teams", "set_teams", "user_queues", "user_teams"]
