"""The managers' audit log page: filters in the query string, paging, bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from claimsdesk.services import audit
from claimsdesk.services.users import Account


def rows(html: str) -> int:
    body = html[html.index('id="audit-table"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return body.count("<tr>") - body.count('class="empty"')


def seed(session: Session, count: int) -> None:
    for i in range(count):
        audit.add_event(session, None, "claim.note", "claim", f"00{i:03d}", {"n": i})
    session.commit()


def test_manager_sees_the_log_newest_first(
    client: FlaskClient, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("manager")
    seed(db_session, 3)
    html = client.get("/audit/").get_data(as_text=True)
    assert html.index("00002") < html.index("00001") < html.index("00000")  # ids keep zeros
    assert "login.ok" in html and "Time (UTC)" in html


def test_filters_by_user_action_prefix_and_object(
    client: FlaskClient, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("manager")
    seed(db_session, 3)
    assert rows(client.get("/audit/?user=manager1").get_data(as_text=True)) == 1
    assert rows(client.get("/audit/?action=claim.").get_data(as_text=True)) == 3
    assert rows(client.get("/audit/?action=login.ok").get_data(as_text=True)) == 1
    one = client.get("/audit/?object_type=claim&object_id=00001").get_data(as_text=True)
    assert rows(one) == 1 and "00001" in one
    assert rows(client.get("/audit/?user=nobody").get_data(as_text=True)) == 0


def test_date_filters_include_the_to_day_and_report_bad_dates(
    client: FlaskClient, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("manager")
    today = dt.datetime.now(dt.UTC).date()
    html = client.get(f"/audit/?since={today}&until={today}").get_data(as_text=True)
    assert rows(html) == 2  # user.create and login.ok
    past = today - dt.timedelta(days=3)
    assert rows(client.get(f"/audit/?until={past}").get_data(as_text=True)) == 0
    bad = client.get("/audit/?since=yesterday").get_data(as_text=True)
    assert "is not YYYY-MM-DD; it was ignored." in bad and rows(bad) == 2


def test_paging_keeps_the_filter(
    client: FlaskClient, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("manager")
    seed(db_session, 60)
    first = client.get("/audit/?action=claim.").get_data(as_text=True)
    assert rows(first) == 50 and "Page 1 of 2" in first
    assert "/audit/?page=2&amp;action=claim." in first or "action=claim.&amp;page=2" in first
    second = client.get("/audit/?action=claim.&page=2").get_data(as_text=True)
    assert rows(second) == 10 and "Page 2 of 2" in second
    beyond = client.get("/audit/?action=claim.&page=99").get_data(as_text=True)
    assert "Page 2 of 2" in beyond
    assert rows(client.get("/audit/?page=abc").get_data(as_text=True)) == 50


def test_details_are_escaped(
    client: FlaskClient, signed_in: Callable[[str], Account], db_session: Session
) -> None:
    signed_in("manager")
    audit.record(db_session, None, "claim.note", "claim", "1", {"note": "<script>x()</script>"})
    html = client.get("/audit/").get_data(as_text=True)
    assert "<script>x()" not in html and "&lt;script&gt;" in html


def test_home_shows_own_recent_activity(
    client: FlaskClient, signed_in: Callable[[str], Account]
) -> None:
    signed_in("specialist")
    html = client.get("/").get_data(as_text=True)
    assert "Your recent activity" in html and "login.ok" in html
    assert 'data-shortcut="g h"' in html
