"""Helpers the web tests share: a browser-like wrapper around Flask's test client."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PASSWORD = "correct horse battery staple"
SECRET = "test-secret-key-that-is-long-enough-0123456789"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a page puts in its forms."""
    page = client.get(path)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


class Desk:
    """Browser-like helpers for one test client: sign in, post forms with their token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf(self, path: str = "/login") -> str:
        return csrf_from(self.client, path)

    def login(self, username: str, password: str = PASSWORD, **extra: str) -> TestResponse:
        token = self.csrf()
        data = {"username": username, "password": password, "csrf_token": token, **extra}
        return self.client.post("/login", data=data)

    def post(self, path: str, data: dict[str, str] | None = None, page: str = "/") -> TestResponse:
        return self.client.post(path, data={**(data or {}), "csrf_token": self.csrf(page)})

    def logout(self) -> TestResponse:
        return self.post("/logout")
