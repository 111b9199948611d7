"""Web settings from the environment, and the `users` / `serve` commands."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from claimsdesk.services import audit, users
from claimsdesk.services.users import AuthOutcome, Role
from claimsdesk.web import cli_web
from claimsdesk.web.settings import DEMO_SECRET, WebConfigError, WebSettings

KEY = "k" * 48


def test_secret_key_is_required_outside_demo_mode() -> None:
    with pytest.raises(WebConfigError, match="CLAIMSDESK_SECRET_KEY is not set"):
        WebSettings.from_env({})
    demo = WebSettings.from_env({"CLAIMSDESK_DEMO": "1"})
    assert demo.secret_key == DEMO_SECRET and demo.demo and not demo.cookie_secure
    with pytest.raises(WebConfigError, match="only allowed in demo mode"):
        WebSettings(secret_key=DEMO_SECRET)
    with pytest.raises(WebConfigError, match="at least 32"):
        WebSettings.from_env({"CLAIMSDESK_SECRET_KEY": "short"})


def test_clocks_and_flags_from_env() -> None:
    web = WebSettings.from_env(
        {
            "CLAIMSDESK_SECRET_KEY": KEY,
            "CLAIMSDESK_IDLE_MINUTES": "10",
            "CLAIMSDESK_SESSION_MAX_MINUTES": "120",
            "CLAIMSDESK_MAX_FAILED_LOGINS": "3",
            "CLAIMSDESK_LOCKOUT_MINUTES": "5",
        }
    )
    assert web.idle_timeout == dt.timedelta(minutes=10)
    assert web.absolute_lifetime == dt.timedelta(hours=2)
    assert (web.max_failed_logins, web.lockout) == (3, dt.timedelta(minutes=5))
    assert web.cookie_secure and not web.demo
    defaults = WebSettings.from_env({"CLAIMSDESK_SECRET_KEY": KEY})
    assert defaults.idle_timeout == dt.timedelta(minutes=30)
    assert defaults.absolute_lifetime == dt.timedelta(hours=12)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CLAIMSDESK_IDLE_MINUTES", "ten", "expected a whole number"),
        ("CLAIMSDESK_IDLE_MINUTES", "0", "must be more than 0"),
        ("CLAIMSDESK_COOKIE_SECURE", "maybe", "use 1/0"),
        ("CLAIMSDESK_SESSION_MAX_MINUTES", "5", "shorter than the idle timeout"),
    ],
)
def test_bad_settings_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(WebConfigError, match=message):
        WebSettings.from_env({"CLAIMSDESK_SECRET_KEY": KEY, name: value})


@pytest.fixture
def cli_env(desk_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CLAIMSDESK_DATABASE_URL", desk_url)
    return desk_url


def test_users_add_with_password_stdin(
    runner: CliRunner, cli_env: str, db_session: Session
) -> None:
    result = runner.invoke(
        cli_web.users_group,
        [
            "add",
            "First.Admin",
            "--role",
            "admin",
            "--display-name",
            "First Admin",
            "--password-stdin",
        ],
        input="a long admin passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "added first.admin (admin)" in result.output
    auth = users.authenticate(db_session, "first.admin", "a long admin passphrase")
    assert auth.outcome is AuthOutcome.OK and auth.account.role is Role.ADMIN  # type: ignore[union-attr]
    created = audit.list_events(db_session, audit.AuditFilter(action="user.create")).items
    assert created[0].username is None  # done from the command line, not by a desk user


def test_users_add_prompts_twice(runner: CliRunner, cli_env: str, db_session: Session) -> None:
    result = runner.invoke(
        cli_web.users_group,
        ["add", "spec1", "--role", "specialist"],
        input="typed passphrase one\ntyped passphrase one\n",
    )
    assert result.exit_code == 0, result.output
    assert users.find_account(db_session, "spec1") is not None


def test_users_commands_report_refusals_cleanly(runner: CliRunner, cli_env: str) -> None:
    short = runner.invoke(
        cli_web.users_group,
        ["add", "spec1", "--role", "specialist", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    assert "Traceback" not in short.output
    empty = runner.invoke(
        cli_web.users_group, ["add", "spec1", "--role", "specialist", "--password-stdin"], input=""
    )
    assert empty.exit_code == 1 and "stdin is empty" in empty.output
    bad_role = runner.invoke(cli_web.users_group, ["add", "x1", "--role", "root"])
    assert bad_role.exit_code == 2
    missing = runner.invoke(cli_web.users_group, ["deactivate", "ghost"])
    assert missing.exit_code == 1 and "no user named 'ghost'" in missing.output


def test_users_lifecycle_commands(runner: CliRunner, cli_env: str, db_session: Session) -> None:
    pw = "a long enough password\n"
    runner.invoke(
        cli_web.users_group, ["add", "spec1", "--role", "specialist", "--password-stdin"], input=pw
    )
    assert runner.invoke(cli_web.users_group, ["set-role", "spec1", "MANAGER"]).exit_code == 0
    listing = runner.invoke(cli_web.users_group, ["list"]).output
    assert "spec1" in listing and "manager" in listing and "active" in listing
    assert runner.invoke(cli_web.users_group, ["deactivate", "spec1"]).exit_code == 0
    assert "deactivated" in runner.invoke(cli_web.users_group, ["list"]).output
    assert runner.invoke(cli_web.users_group, ["reactivate", "spec1"]).exit_code == 0
    reset = runner.invoke(
        cli_web.users_group,
        ["reset-password", "spec1", "--password-stdin"],
        input="the replacement words\n",
    )
    assert reset.exit_code == 0
    db_session.expire_all()
    assert (
        users.authenticate(db_session, "spec1", "the replacement words").outcome is AuthOutcome.OK
    )
    token = runner.invoke(cli_web.users_group, ["issue-token", "spec1", "--name", "batch"])
    assert token.exit_code == 0
    secret = token.stdout.strip()
    assert users.user_for_token(db_session, secret).username == "spec1"  # type: ignore[union-attr]


def test_serve_refuses_an_unmigrated_database(
    runner: CliRunner, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMSDESK_DATABASE_URL", db_url)
    monkeypatch.setenv("CLAIMSDESK_DEMO", "1")
    result = runner.invoke(cli_web.serve, ["--port", "8765"])
    assert result.exit_code == 1 and "schema is not current" in result.output


def test_serve_needs_a_secret_outside_demo(
    runner: CliRunner, cli_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLAIMSDESK_SECRET_KEY", raising=False)
    monkeypatch.delenv("CLAIMSDESK_DEMO", raising=False)
    result = runner.invoke(cli_web.serve, [])
    assert result.exit_code == 1 and "CLAIMSDESK_SECRET_KEY is not set" in result.output


def test_commands_to_register() -> None:
    assert [c.name for c in cli_web.COMMANDS] == ["users", "serve"]
