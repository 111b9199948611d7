"""Matching on real files through the import service, on SQLite and PostgreSQL.

The hand-written scenarios of sample_edi (README table) and small variants derived from them:
the 837 arriving after its 835, our secondary claim after the secondary's 835, a corrected
claim (frequency 7) sharing its PCN with the original, two indistinguishable submissions
(ambiguous), a recoded line without REF*6R (SVC06), and a FHIR EOB. Also: no query per claim
on a generated 500-claim batch, and re-running matching changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ledgerkit import (
    FHIR,
    SCENARIOS,
    hook,
    import_in_order,
    only_view,
    rewrite,
    scenario,
    views_of,
)
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.domain.views import MatchStatus
from claimsdesk.generator import generate_batch
from claimsdesk.services.claim_views import rebuild_all, run_matching_and_ledger
from claimsdesk.services.imports import import_paths
from claimsdesk.storage.models.analysis import ClaimMatch, LineMatch
from claimsdesk.storage.models.ingest import ClaimPayment, ServicePayment, SubmittedClaim


def arrival_order() -> list[Path]:
    """Every scenario file: per scenario, by arrival number, the 837 before the 835."""

    def key(path: Path) -> tuple[str, int, int]:
        parts = path.name.split(".")
        number = int(parts[1]) if len(parts) == 3 else 0
        return (parts[0], number, 0 if parts[-1].startswith("837") else 1)

    return sorted(SCENARIOS.iterdir(), key=key)


def matches(sessions: sessionmaker[Session], pcn: str) -> list[tuple[str, str, str, int | None]]:
    """(CLP02, match status, method, matched claim) of a PCN's payments, in import order."""
    with sessions() as session:
        rows = session.execute(
            select(
                ClaimPayment.status,
                ClaimMatch.status,
                ClaimMatch.method,
                ClaimMatch.submitted_claim_id,
            )
            .join(ClaimMatch, ClaimMatch.claim_payment_id == ClaimPayment.id)
            .where(ClaimPayment.patient_control_number == pcn)
            .order_by(ClaimPayment.id)
        ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def snapshot(sessions: sessionmaker[Session]) -> dict[str, list[Any]]:
    """Match rows as stored (ids included: nothing may be rewritten)."""
    with sessions() as session:
        return {
            "claims": list(
                session.execute(
                    select(
                        ClaimMatch.id,
                        ClaimMatch.claim_payment_id,
                        ClaimMatch.submitted_claim_id,
                        ClaimMatch.status,
                        ClaimMatch.method,
                        ClaimMatch.matched_at,
                    ).order_by(ClaimMatch.id)
                )
            ),
            "lines": list(
                session.execute(
                    select(
                        LineMatch.id,
                        LineMatch.service_payment_id,
                        LineMatch.claim_line_id,
                        LineMatch.method,
                    ).order_by(LineMatch.id)
                )
            ),
        }


def test_every_scenario_matches(session_factory: sessionmaker[Session]) -> None:
    """Each scenario's payments reach its claim; the unmatched remittance stays unmatched."""
    import_in_order(session_factory, arrival_order())
    simple = [
        "PIF26001",
        "PRP26001",
        "ELG26001",
        "AUT26001",
        "MNC26001",
        "MIS26001",
        "TMF26001",
        "COD26001",
        "UND26001",
        "WPO26001",
        "RCD26001",
        "INP26001",
        "BUN26001",
        "UBL26001",
        "PLB26001",
        "PLB26002",
    ]
    for pcn in simple:
        view = only_view(session_factory, pcn)
        assert [m[1:] for m in matches(session_factory, pcn)] == [
            ("matched", "pcn", view.submitted_claim_id)
        ], pcn
        assert all(ln.claim_line_id is not None for p in view.payments for ln in p.lines), pcn
    dup = only_view(session_factory, "DUP26001")
    assert [m[0] for m in matches(session_factory, "DUP26001")] == ["1", "4"]
    assert {m[3] for m in matches(session_factory, "DUP26001")} == {dup.submitted_claim_id}
    xov = only_view(session_factory, "XOV26001")
    assert [(p.status, p.payer_key) for p in xov.payments] == [("19", "SXMB1"), ("2", "SXMCD")]
    assert matches(session_factory, "UNM26001") == [("1", "unmatched", "none", None)]


def test_reversal_follows_the_payment_it_reverses(session_factory: sessionmaker[Session]) -> None:
    """CLP02 22 quotes the original CLP07 and links to its claim; the correction by PCN."""
    import_in_order(
        session_factory,
        scenario(
            "reversal-and-correction.837",
            "reversal-and-correction.1.835",
            "reversal-and-correction.2.835",
        ),
    )
    view = only_view(session_factory, "REV26001")
    found = matches(session_factory, "REV26001")
    assert [(m[0], m[2]) for m in found] == [
        ("1", "pcn"),
        ("22", "payer_claim_number"),
        ("1", "pcn"),
    ]
    assert {m[3] for m in found} == {view.submitted_claim_id}


def test_837_after_its_835(session_factory: sessionmaker[Session]) -> None:
    """A payment unmatched on arrival matches when its claim is imported."""
    import_in_order(session_factory, scenario("paid-in-full.835"))
    assert matches(session_factory, "PIF26001") == [("1", "unmatched", "none", None)]
    import_in_order(session_factory, scenario("paid-in-full.837"))
    view = only_view(session_factory, "PIF26001")
    assert matches(session_factory, "PIF26001") == [
        ("1", "matched", "pcn", view.submitted_claim_id)
    ]
    assert view.payments[0].match_status is MatchStatus.MATCHED
    assert [ln.claim_line_id for ln in view.payments[0].lines] == [
        ln.claim_line_id for ln in view.lines
    ]


def test_secondary_claim_after_the_secondary_835(session_factory: sessionmaker[Session]) -> None:
    """Our secondary 837 arriving after the secondary's 835 takes that payment over."""
    import_in_order(
        session_factory,
        scenario("secondary-payment.1.837", "secondary-payment.1.835", "secondary-payment.2.835"),
    )
    (primary,) = views_of(session_factory, "SEC26001")
    assert [p.payer_key for p in primary.payments] == ["SXSCI", "SXBLW"]
    import_in_order(session_factory, scenario("secondary-payment.2.837"))
    primary, secondary = views_of(session_factory, "SEC26001")
    assert secondary.payer_responsibility == "S"
    assert [p.payer_key for p in primary.payments] == ["SXSCI"]
    assert [(p.status, p.payer_key) for p in secondary.payments] == [("2", "SXBLW")]


def _replacement_files(tmp: Path) -> list[Path]:
    """MIS26001 again as a corrected claim (CLM05-3 7, REF*F8) and a second denial."""
    claim = rewrite(
        SCENARIOS / "denied-missing-info.837",
        tmp / "mis-replacement.837",
        [
            ("100000006", "100000906"),
            ("*1006*X", "*1906*X"),
            ("GE*1*1006", "GE*1*1906"),
            ("20260512", "20260601"),
            ("*260512*", "*260601*"),
            ("11:B:1", "11:B:7"),
            ("HI*ABK:I10", "REF*F8*2226132000006~HI*ABK:I10"),
        ],
    )
    remit = rewrite(
        SCENARIOS / "denied-missing-info.835",
        tmp / "mis-second.835",
        [
            ("200000006", "200000906"),
            ("*2006*X", "*2906*X"),
            ("GE*1*2006", "GE*1*2906"),
            ("SXMB-NP-260526-01", "SXMB-NP-260615-01"),
            ("2226132000006", "2226166000906"),
            ("DTM*050*20260513", "DTM*050*20260602"),
        ],
    )
    return [claim, remit]


def test_resubmissions_sharing_a_pcn(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """The first answer stays with the original; the later one goes to the replacement."""
    replacement, second = _replacement_files(tmp_path)
    import_in_order(
        session_factory,
        [*scenario("denied-missing-info.837", "denied-missing-info.835"), replacement, second],
    )
    original, corrected = views_of(session_factory, "MIS26001")
    assert (original.frequency, corrected.frequency) == ("1", "7")
    assert corrected.original_reference == "2226132000006"
    found = matches(session_factory, "MIS26001")
    assert [(m[2], m[3]) for m in found] == [
        ("pcn", original.submitted_claim_id),
        ("latest_replacement", corrected.submitted_claim_id),
    ]


def test_ambiguous_submissions(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    """Two indistinguishable submissions: the payment is ambiguous, both are candidates."""
    twin = rewrite(
        SCENARIOS / "paid-in-full.837",
        tmp_path / "pif-twin.837",
        [
            ("100000001", "100000902"),
            ("*1001*X", "*1902*X"),
            ("GE*1*1001", "GE*1*1902"),
        ],
    )
    import_in_order(
        session_factory, [*scenario("paid-in-full.837"), twin, *scenario("paid-in-full.835")]
    )
    first, second = views_of(session_factory, "PIF26001")
    assert matches(session_factory, "PIF26001") == [("1", "ambiguous", "pcn", None)]
    with session_factory() as session:
        stored = session.scalars(select(ClaimMatch.candidates)).one()
    assert stored == [first.submitted_claim_id, second.submitted_claim_id]
    assert first.payments == () and second.payments == ()


def test_recoded_line_matched_by_svc06(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """Without REF*6R: line 1 paid as 99213 matches billed 99214 through SVC06."""
    no_ref = lambda seg: seg.startswith("REF*6R")  # noqa: E731
    claim = rewrite(SCENARIOS / "line-recoded-by-payer.837", tmp_path / "rcd.837", drop=no_ref)
    remit = rewrite(SCENARIOS / "line-recoded-by-payer.835", tmp_path / "rcd.835", drop=no_ref)
    import_in_order(session_factory, [claim, remit])
    view = only_view(session_factory, "RCD26001")
    with session_factory() as session:
        methods = session.execute(
            select(LineMatch.method, LineMatch.claim_line_id)
            .join(ServicePayment, ServicePayment.id == LineMatch.service_payment_id)
            .order_by(ServicePayment.line_number)
        ).all()
    assert [tuple(m) for m in methods] == [
        ("recoded", view.lines[0].claim_line_id),
        ("exact", view.lines[1].claim_line_id),
    ]
    paid = view.payments[0].lines
    assert (paid[0].procedure, paid[0].original_procedure) == ("99213", "99214")


def test_fhir_eob_matches_like_an_835(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """An EOB is a claim payment too: PCN, then lines by procedure and modifiers."""
    claim = rewrite(
        SCENARIOS / "paid-in-full.837",
        tmp_path / "pcn-1001.837",
        [
            ("100000001", "100000903"),
            ("*1001*X", "*1903*X"),
            ("GE*1*1001", "GE*1*1903"),
            ("CLM*PIF26001*265.00", "CLM*PCN-1001*275.10"),
            ("MI*BLW200000001", "MI*MBR0000001"),
            ("SV1*HC:99214*240.00", "SV1*HC:99214:25*250.10"),
            ("20260302", "20260105"),
        ],
        drop=lambda seg: seg.startswith("REF*6R"),
    )
    eob = FHIR / "paid-deductible-coinsurance-copay.json"
    import_in_order(session_factory, [claim, eob, FHIR / "reversal-negative.json"])
    view = only_view(session_factory, "PCN-1001")
    assert [p.status for p in view.payments] == ["1", "22"]
    assert [ln.claim_line_id for ln in view.payments[0].lines] == [
        ln.claim_line_id for ln in view.lines
    ]
    assert view.ledger.payer_payments == {}  # the reversal took the payment back


def test_rerun_changes_nothing(session_factory: sessionmaker[Session]) -> None:
    """rebuild_all after the imports, twice, and re-importing, leave every row as it was."""
    files = arrival_order()
    import_in_order(session_factory, files)
    before = snapshot(session_factory)
    for _ in range(2):
        with session_factory() as session:
            rebuild_all(session)
            session.commit()
        assert snapshot(session_factory) == before
    again = import_paths(session_factory, files, after_file=hook)
    assert {r.status for r in again.files} == {"duplicate"}
    assert snapshot(session_factory) == before


def test_no_query_per_claim(
    engine: Engine, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """500 generated claims and their payments: the hook's statements do not grow per claim."""
    files = generate_batch(500, 7, tmp_path / "batch", single_835=True)
    counts: list[int] = []
    live = [False]

    def count(*_args: Any) -> None:
        if live[0]:
            counts[-1] += 1

    def counting_hook(session: Session, result: Any, imported: Any) -> None:
        counts.append(0)
        live[0] = True
        try:
            run_matching_and_ledger(session, imported)
        finally:
            live[0] = False

    event.listen(engine, "before_cursor_execute", count)
    try:
        run = import_paths(session_factory, files, after_file=counting_hook)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    claims = sum(r.claims for r in run.files)
    assert claims > 1000  # 837 claims and 835 claim payments
    assert len(counts) == len(files)
    assert max(counts) <= 60, counts
    with session_factory() as session:
        matched = session.scalars(select(ClaimMatch.id).where(ClaimMatch.status == "matched")).all()
        claims_837 = session.scalars(select(SubmittedClaim.id)).all()
    assert len(matched) > len(claims_837) * 0.9
