"""The users and audit services on their own: hashing, throttle clock, tokens, transactions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimsdesk.services import audit, users
from claimsdesk.services.users import AuthOutcome, Role, ThrottlePolicy, UserError
from claimsdesk.storage.models.desk import AuditEvent, User

PW = "a perfectly fine passphrase"


def test_passwords_are_stored_as_werkzeug_scrypt_hashes(db_session: Session) -> None:
    account = users.create_user(db_session, "spec1", "Spec One", "specialist", PW)
    stored = db_session.get(User, account.id)
    assert stored is not None and stored.password_hash.startswith("scrypt:")
    assert PW not in stored.password_hash


def test_default_method_is_full_cost_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # drop the test speed-up for this check
    assert users.PASSWORD_METHOD == "scrypt"


def test_create_user_rules(db_session: Session) -> None:
    with pytest.raises(UserError, match="Username must be"):
        users.create_user(db_session, "-bad name", "x", "specialist", PW)
    with pytest.raises(UserError, match="Unknown role"):
        users.create_user(db_session, "ok1", "x", "boss", PW)
    with pytest.raises(UserError, match="must not be the username"):
        users.create_user(db_session, "longusername1", "x", "specialist", "LongUserName1")
    with pytest.raises(UserError, match="at most 256"):
        users.create_user(db_session, "ok1", "x", "specialist", "x" * 300)
    users.create_user(db_session, "ok1", "", "specialist", PW)
    with pytest.raises(UserError, match="taken"):
        users.create_user(db_session, "OK1", "x", "specialist", PW)
    assert users.find_account(db_session, " ok1 ").display_name == "ok1"  # type: ignore[union-attr]


def test_non_admin_actor_cannot_change_accounts(db_session: Session) -> None:
    manager = users.create_user(db_session, "mgr1", "M", "manager", PW)
    spec = users.create_user(db_session, "spec1", "S", "specialist", PW)
    with pytest.raises(UserError, match="Only an admin"):
        users.create_user(db_session, "spec2", "S", "specialist", PW, actor=manager)
    with pytest.raises(UserError, match="Only an admin"):
        users.set_role(db_session, spec.id, "admin", actor=manager)
    with pytest.raises(UserError, match="Only an admin"):
        users.change_password(db_session, spec.id, "another passphrase", actor=manager)


def test_throttle_locks_then_forgets(db_session: Session) -> None:
    users.create_user(db_session, "spec1", "S", "specialist", PW)
    policy = ThrottlePolicy(max_failures=3, lockout=dt.timedelta(minutes=10))
    t0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

    def attempt(password: str, minutes: float) -> AuthOutcome:
        at = t0 + dt.timedelta(minutes=minutes)
        return users.authenticate(db_session, "spec1", password, policy=policy, now=at).outcome

    assert [attempt("wrong", m) for m in (0, 1, 2)] == [AuthOutcome.BAD_CREDENTIALS] * 3
    assert attempt(PW, 3) is AuthOutcome.LOCKED
    assert attempt(PW, 11.9) is AuthOutcome.LOCKED
    assert attempt(PW, 12.5) is AuthOutcome.OK  # lock over; success clears the counter
    assert attempt("wrong", 13) is AuthOutcome.BAD_CREDENTIALS
    assert attempt("wrong", 30) is AuthOutcome.BAD_CREDENTIALS  # old streak forgotten
    assert attempt(PW, 31) is AuthOutcome.OK


def test_login_rehashes_an_old_method(db_session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "PASSWORD_METHOD", "pbkdf2:sha256:1000")
    account = users.create_user(db_session, "spec1", "S", "specialist", PW)
    monkeypatch.setattr(users, "PASSWORD_METHOD", "scrypt:4096:8:1")
    assert users.authenticate(db_session, "spec1", PW).outcome is AuthOutcome.OK
    assert db_session.get(User, account.id).password_hash.startswith("scrypt:")  # type: ignore[union-attr]


def test_role_changes_bump_the_session_version(db_session: Session) -> None:
    spec = users.create_user(db_session, "spec1", "S", "specialist", PW)
    changed = users.set_role(db_session, spec.id, Role.MANAGER, actor=None)
    assert changed.session_version == spec.session_version + 1
    same = users.set_role(db_session, spec.id, "manager", actor=None)
    assert same.session_version == changed.session_version


def test_tokens_hash_only_and_track_last_use(db_session: Session) -> None:
    bot = users.create_user(db_session, "bot1", "Bot", "specialist", PW)
    secret, info = users.issue_token(db_session, bot.id, "  batch   job ", actor=None)
    assert secret.startswith("cdt_") and len(secret) > 40 and info.name == "batch job"
    assert info.last_used_at is None and secret[:8] == info.prefix
    assert users.user_for_token(db_session, secret).username == "bot1"  # type: ignore[union-attr]
    assert users.list_tokens(db_session, bot.id)[0].last_used_at is not None
    assert users.user_for_token(db_session, secret + "x") is None
    assert users.user_for_token(db_session, "not-a-token") is None
    users.deactivate(db_session, bot.id, actor=None)
    assert users.user_for_token(db_session, secret) is None
    with pytest.raises(UserError, match="inactive"):
        users.issue_token(db_session, bot.id, "again", actor=None)


def test_audit_record_is_utc_and_json_safe(db_session: Session) -> None:
    entry = audit.record(
        db_session,
        None,
        "claim.note",
        "claim",
        12,
        {"amount": Decimal("10.50"), "day": dt.date(2026, 1, 5), "role": Role.ADMIN},
    )
    assert entry.object_id == "12" and entry.at.tzinfo is not None
    assert entry.details == {"amount": "10.50", "day": "2026-01-05", "role": "admin"}
    db_session.expire_all()
    [row] = db_session.scalars(select(AuditEvent)).all()
    assert row.at.utcoffset() == dt.timedelta(0)


def test_audit_needs_an_action(db_session: Session) -> None:
    with pytest.raises(ValueError, match="action"):
        audit.record(db_session, None, "")


def test_a_failed_change_writes_no_audit_line(db_session: Session) -> None:
    users.create_user(db_session, "spec1", "S", "specialist", PW)
    before = audit.list_events(db_session).total
    with pytest.raises(UserError):
        users.create_user(db_session, "spec1", "S", "specialist", PW)
    assert audit.list_events(db_session).total == before


def test_audit_keeps_the_username_when_the_user_row_goes(db_session: Session) -> None:
    spec = users.create_user(db_session, "spec1", "S", "specialist", PW)
    audit.record(db_session, spec, "claim.note", "claim", "1")
    db_session.delete(db_session.get(User, spec.id))
    db_session.commit()
    db_session.expire_all()
    entry = audit.list_events(db_session, audit.AuditFilter(action="claim.note")).items[0]
    assert entry.user_id is None and entry.username == "spec1"


def test_action_names_and_page_maths(db_session: Session) -> None:
    for i in range(5):
        audit.add_event(db_session, None, f"x.{i % 2}")
    db_session.commit()
    assert audit.action_names(db_session) == ["x.0", "x.1"]
    page = audit.list_events(db_session, page=2, per_page=2)
    assert (page.total, page.pages, page.has_prev, page.has_next) == (5, 3, True, True)
    assert len(page.items) == 2
