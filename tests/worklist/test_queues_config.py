"""queues.toml: the loader reports problems by file, key and cause; routing is total and
ordered; every registered finding kind and category routes somewhere and each shipped queue
has a route and a database case (routes.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from routes import ROUTES, SCENARIO_QUEUES, TIMELY_FILING_DENIAL

from claimsdesk.domain.findings import REGISTRY, FindingKind
from claimsdesk.services.findings_query import known_categories
from payer_rules import RuleError
from payer_rules.queues import check_queues, load_queues

KINDS = [k.value for k in FindingKind]


def book():
    return load_queues(kinds=KINDS, categories=known_categories())


def test_shipped_queues_load_and_end_with_a_catch_all() -> None:
    queues = book()
    assert queues.names == (
        "unmatched_remittances", "credit_balances", "underpayments", "timely_filing",
        "no_response", "duplicates", "cob_secondary", "eligibility", "authorization", "coding",
        "medical_necessity", "other_denials",
    )  # fmt: skip
    assert [q.name for q in queues.queues if q.catch_all] == ["other_denials"]
    assert all(q.title and q.team for q in queues.queues)


def test_every_registered_kind_and_category_routes_as_documented() -> None:
    queues = book()
    pairs = {(r.kind.value, c) for r in REGISTRY.values() for c in r.categories}
    assert pairs == set(ROUTES), "add the new (kind, category) to tests/worklist/routes.py"
    for (kind, category), expected in ROUTES.items():
        got = queues.route(kind, category, "SXBLW", "BLUEWATER HEALTH PLAN", Decimal("10.00"))
        assert got.name == expected, (kind, category)


def test_every_shipped_queue_has_a_route_and_a_database_case() -> None:
    routed = set(ROUTES.values())
    on_db = {queue for *_, expect in SCENARIO_QUEUES for *_, queue in expect}
    on_db.add(TIMELY_FILING_DENIAL[2][2])
    for name in book().names:
        assert name in routed, f"queue {name} has no route in routes.py"
        assert name in on_db, f"queue {name} has no database case in routes.SCENARIO_QUEUES"


def test_unknown_findings_fall_to_the_catch_all() -> None:
    assert book().route("denial", "brand_new", "X", "Y", Decimal("1")).name == "other_denials"
    assert book().route("new_kind", "x", "X", "Y", Decimal("1")).name == "other_denials"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "queues.toml"
    path.write_text(text, encoding="utf-8")
    return path


LAST = '\n[[queue]]\nname = "rest"\ntitle = "Rest"\nteam = "billing"\ncatch_all = true\n'


def test_payer_and_amount_criteria_split_a_category(tmp_path: Path) -> None:
    path = write(tmp_path, """
[[queue]]
name = "medicare_big"
title = "Medicare, big"
team = "billing"
[queue.match]
kinds = ["denial"]
payers = ["SXMB*", "medicare part b*"]
min_amount = "1000.00"

[[queue]]
name = "small"
title = "Small"
team = "billing"
recoverability = "0.9"
[queue.match]
max_amount = "50.00"
""" + LAST)  # fmt: skip
    queues = load_queues(path)
    route = queues.route
    assert route("denial", "other", "SXMB1", "", Decimal("1000.00")).name == "medicare_big"
    assert (
        route("denial", "other", "", "Medicare  Part B X", Decimal("5000")).name == "medicare_big"
    )
    assert route("denial", "other", "SXBLW", "", Decimal("5000")).name == "rest"
    assert route("cob", "x", "SXMB1", "", Decimal("49.99")).name == "small"
    assert route("cob", "x", "SXMB1", "", Decimal("50.00")).name == "rest"  # max is exclusive
    assert queues.named("small").recoverability == Decimal("0.9")


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('[[queue]]\nnam = "a"\ntitle = "A"\nteam = "billing"\ncatch_all = true\n', "queue[1].nam",
         "did you mean 'name'"),
        ('[[queue]]\nname = "aa"\ntitle = "A"\nteam = "billing"\n[queue.match]\nkinds = ["denial"]\n',
         "queue", "catch-all"),
        ('[[queue]]\nname = "aa"\ntitle = "A"\nteam = "billing"\ncatch_all = true\n' + LAST,
         "queue[1] (aa).catch_all", "only the last queue"),
        ('[[queue]]\nname = "rest"\ntitle = "A"\nteam = "billing"\n[queue.match]\nkinds = ["cob"]\n'
         + LAST, "queue[2] (rest).name", "duplicate queue name"),
        ('[[queue]]\nname = "aa"\ntitle = "A"\nteam = "billing"\n[queue.match]\nmin_amount = "9"\n'
         'max_amount = "5"\n' + LAST, "queue[1] (aa).match.max_amount", "must be above min_amount"),
        ('[[queue]]\nname = "aa"\ntitle = "A"\nteam = "billing"\n[queue.match]\nmin_amount = 1.5\n'
         + LAST, "queue[1] (aa).match.min_amount", "floats lose cents"),
        ('[[queue]]\nname = "aa"\ntitle = "A"\nteam = "billing"\n' + LAST, "queue[1] (aa).match",
         "required"),
        ('[[queue]]\nname = "aa"\ntitle = "A"\nteam = "billing"\n[queue.match]\nkinds = ["denail"]\n'
         + LAST, "queue[1] (aa).match.kinds", "did you mean 'denial'"),
        ('[[queue]]\nname = "aa"\ntitle = "A"\nteam = "billing"\nrecoverability = "2"\n'
         '[queue.match]\nkinds = ["cob"]\n' + LAST, "queue[1] (aa).recoverability", "at most 1"),
        ('[[queue]]\nname = "Bad Name"\ntitle = "A"\nteam = "billing"\ncatch_all = true\n',
         "queue[1] (Bad Name).name", "lower-case"),
        ('[[queue]]\ntitle = "A"\nteam = "billing"\ncatch_all = true\n', "queue[1].name", "required"),
        ('[[queue]]\nname = "aa"\ntitle = "A"\nteam = "billing"\ncatch_all = true\n[queue.match]\n'
         'kinds = ["cob"]\n', "queue[1] (aa).match", "remove its match table"),
        ("queue = 3\n", "queue", "at least one [[queue]]"),
        ('[[queue]\nname = "aa"\n', "file", "not valid TOML"),
    ],
)  # fmt: skip
def test_problems_name_file_key_and_cause(tmp_path: Path, text: str, key: str, words: str) -> None:
    path = write(tmp_path, text)
    problems = check_queues(path, kinds=KINDS, categories=known_categories())
    wanted = [p for p in problems if p.startswith(f"{path}: {key}: ")]
    assert wanted, problems
    assert words in wanted[0], problems
    with pytest.raises(RuleError) as caught:
        load_queues(path, kinds=KINDS)
    assert caught.value.problems


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    assert check_queues(missing) == [f"{missing}: file: queue file not found"]


def test_shipped_file_is_clean() -> None:
    assert check_queues(kinds=KINDS, categories=known_categories()) == []
