"""The OpenAPI document describes every /api route of the app, and nothing else; its refs
resolve and its path parameters are declared."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from deskkit import SECRET
from flask import Flask

from claimsdesk.config import Settings
from claimsdesk.web import create_app
from claimsdesk.web.openapi import document
from claimsdesk.web.settings import WebSettings

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    url = f"sqlite:///{tmp_path_factory.mktemp('oa') / 'none.db'}"  # no query is made
    return create_app(Settings(database_url=url), WebSettings(secret_key=SECRET))


def app_routes(app: Flask) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every /api rule but the catch-all."""
    out = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint == "api.unknown":
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        out |= {(path, m) for m in (rule.methods or set()) & METHODS}
    return out


def documented(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(p, m.upper()) for p, ops in doc["paths"].items() for m in ops}


def test_every_api_route_is_documented_and_nothing_else(api_app: Flask) -> None:
    routes, doc = app_routes(api_app), documented(document())
    assert routes - doc == set(), "routes missing from openapi.py"
    assert doc - routes == set(), "openapi.py describes routes the app does not have"
    assert len(routes) >= 25


def test_the_document_is_well_formed() -> None:
    doc = document()
    assert doc["openapi"] == "3.1.0" and doc["info"]["title"] and doc["info"]["version"]
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    text = json.dumps(doc)
    for name in set(re.findall(r'"#/components/schemas/([A-Za-z]+)"', text)):
        assert name in doc["components"]["schemas"], f"dangling $ref {name}"
    for path, ops in doc["paths"].items():
        wanted = set(re.findall(r"{([a-z_]+)}", path))
        for method, op in ops.items():
            assert op["summary"] and op["responses"], (path, method)
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == wanted, (path, method, declared, wanted)
            for code in op["responses"]:
                assert re.fullmatch(r"[1-5]\d\d", code), (path, method, code)


def test_served_at_api_openapi_json_without_a_token(api_app: Flask) -> None:
    response = api_app.test_client().get("/api/openapi.json")
    assert response.status_code == 200 and response.is_json
    assert response.get_json() == json.loads(json.dumps(document()))
