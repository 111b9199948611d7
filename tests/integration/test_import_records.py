"""Import service over hand-built record streams, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import recordkit as f
from dbkit import table_counts
from fakes import FakeReader
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services.imports import FileResult, ImportedIds, ImportFailed, import_paths
from claimsdesk.storage.models import ingest as m
from parsers import ReadError
from parsers.records import Format, Issue, Record, Severity, TransactionEnd

SF = sessionmaker[Session]


def test_835_rows_are_linked_and_money_is_decimal(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    path = fake.write(tmp_path / "in" / "a.835", f.file_835(["P1", "P2"]))
    run = import_paths(session_factory, [tmp_path / "in"])
    (result,) = run.files
    assert (result.status, result.format) == ("imported", "835")
    assert (result.transactions, result.claims, result.service_lines, result.remittances) == (
        1,
        2,
        2,
        1,
    )
    assert result.payment_total == Decimal("145.00")
    assert result.path == str(path)
    with session_factory() as s:
        rem = s.scalars(select(m.Remittance)).one()
        assert (rem.payer_key, rem.payment_key, rem.trace_number) == ("PAYER01", "TRACE1", "TRACE1")
        assert rem.payment_amount == Decimal("145.00") and rem.plb_total == Decimal("5.00")
        assert rem.balanced is True and rem.claim_count == 2
        claims = s.scalars(select(m.ClaimPayment).order_by(m.ClaimPayment.id)).all()
        assert [c.patient_control_number for c in claims] == ["P1", "P2"]
        c1 = claims[0]
        assert isinstance(c1.paid, Decimal) and c1.paid == Decimal("75.00")
        assert c1.payer_claim_number == "PCN-P1" and c1.refs == [["1L", "GRP9"]]
        (svc,) = c1.services
        assert (svc.procedure_code, svc.modifiers, svc.allowed) == ("99213", "25", Decimal("75.00"))
        assert svc.line_control_number == "P1-1" and svc.service_date == dt.date(2026, 1, 2)
        levels = sorted(
            (a.level, a.reason_code, a.service_payment_id == svc.id) for a in c1.adjustments
        )
        assert levels == [("line", "45", True)]
        remarks = s.scalars(
            select(m.RemarkCode).where(m.RemarkCode.claim_payment_id == c1.id)
        ).all()
        assert sorted((r.level, r.code) for r in remarks) == [("claim", "MA01"), ("line", "N130")]
        plb = s.scalars(select(m.ProviderAdjustmentRow)).one()
        assert (plb.reason, plb.reference, plb.amount) == ("WO", "P1", Decimal("5.00"))
        patient = s.get(m.Patient, c1.patient_id)
        assert patient is not None and (patient.last_name, patient.member_id) == ("DOE", "MEM001")
        coverage = s.get(m.Coverage, c1.coverage_id)
        assert coverage is not None and coverage.payer_responsibility == "P"
        assert coverage.group_number == "GRP9" and coverage.patient_id == patient.id
        payee = s.get(m.Provider, rem.payee_id)
        assert payee is not None and payee.npi == "1234567893"
        file_row = s.scalars(select(m.ImportFile)).one()
        assert (file_row.status, file_row.claims, file_row.path) == (
            "imported",
            2,
            str(path.resolve()),
        )
        ts = s.scalars(select(m.TransactionSetRow)).one()
        assert (ts.set_id, ts.control_number, ts.segment_count, ts.is_4010) == (
            "835",
            "0001",
            30,
            False,
        )


def test_837_claims_lines_and_other_payers(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    fake.write(tmp_path / "c.837", f.file_837(["C1", "C2"]), Format.X12_837P)
    (result,) = import_paths(session_factory, [tmp_path]).files
    assert (result.status, result.claims, result.service_lines, result.remittances) == (
        "imported",
        2,
        2,
        0,
    )
    with session_factory() as s:
        claims = s.scalars(select(m.SubmittedClaim).order_by(m.SubmittedClaim.id)).all()
        c1 = claims[0]
        assert (c1.kind, c1.patient_control_number, c1.total_charge) == (
            "837P",
            "C1",
            Decimal("100.00"),
        )
        assert c1.original_reference == "ORIG1" and c1.principal_diagnosis == "J069"
        assert c1.statement_from == dt.date(2026, 1, 2) == c1.statement_to
        (line,) = c1.lines
        assert (line.procedure_code, line.diagnosis_pointers, line.line_control_number) == (
            "99213",
            "1",
            "C1-1",
        )
        (other,) = c1.other_payers
        assert (other.payer_responsibility, other.paid_amount) == ("S", Decimal("50.00"))
        assert [(a.group_code, a.reason_code) for a in other.adjustments] == [("CO", "45")]
        payers = {p.payer_key for p in s.scalars(select(m.Payer))}
        assert payers == {"id:PAYER01", "id:PAYER02"}
        patient = s.get(m.Patient, c1.patient_id)
        assert patient is not None and patient.birth_date == dt.date(1980, 1, 1)
        ts = s.scalars(select(m.TransactionSetRow)).one()
        assert ts.dedupe_key is not None and ts.dedupe_key.startswith(ts.envelope_key + "|2|")


def test_fhir_eobs_sharing_one_payment_are_each_stored(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    def eob(eob_id: str, pcn: str) -> list[Record]:
        h = f.header(None, trace="CHK100", amount="75.00")
        claim = f.claim_payment(pcn, source_id=eob_id)
        return [h, claim, f.RemittanceTrailer(h, (), 1, Decimal("75.00"), Decimal("0"), 0)]

    fake.write(tmp_path / "eobs.json", eob("eob-1", "E1") + eob("eob-2", "E2"), Format.FHIR_EOB)
    (result,) = import_paths(session_factory, [tmp_path]).files
    assert (result.status, result.claims, result.remittances, result.transactions) == (
        "imported",
        2,
        2,
        0,
    )
    fake.write(tmp_path / "again.json", eob("eob-2", "E2"), Format.FHIR_EOB)
    again = import_paths(session_factory, [tmp_path / "again.json"]).files[0]
    assert again.status == "duplicate" and "eob:eob-2" in again.warnings[0]
    with session_factory() as s:
        keys = sorted(r.payment_key or "" for r in s.scalars(select(m.Remittance)))
        assert keys == ["eob:eob-1", "eob:eob-2"]


def test_same_file_twice_changes_nothing(
    session_factory: SF, engine: Engine, fake: FakeReader, tmp_path: Path
) -> None:
    fake.write(tmp_path / "a.835", f.file_835(["P1"]))
    fake.write(tmp_path / "b.837", f.file_837(["C1"]), Format.X12_837P)
    first = import_paths(session_factory, [tmp_path])
    before = table_counts(engine)
    second = import_paths(session_factory, [tmp_path])
    assert [r.status for r in first.files] == ["imported", "imported"]
    assert [r.status for r in second.files] == ["duplicate", "duplicate"]
    assert "same content" in second.files[0].warnings[0]
    assert second.totals.claims == 0 and second.totals.duplicate == 2
    assert table_counts(engine) == before


def test_same_payment_inside_another_file_is_a_duplicate(
    session_factory: SF, engine: Engine, fake: FakeReader, tmp_path: Path
) -> None:
    fake.write(tmp_path / "1.835", f.file_835(["P1"], trace="T-1"))
    import_paths(session_factory, [tmp_path / "1.835"])
    before = table_counts(engine)
    fake.write(tmp_path / "2.835", f.file_835(["P1"], trace="T-1", isa13="000000999"))
    (result,) = import_paths(session_factory, [tmp_path / "2.835"]).files
    assert result.status == "duplicate"
    assert "payment T-1 of payer PAYER01 was already imported from" in result.warnings[0]
    assert str((tmp_path / "1.835").resolve()) in result.warnings[0]
    assert table_counts(engine) == before


def test_mixed_file_keeps_new_payments_and_skips_known_ones(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    fake.write(tmp_path / "1.835", f.file_835(["P1"], trace="T-1"))
    import_paths(session_factory, [tmp_path / "1.835"])
    ts_old, ts_new = (
        f.transaction("835", "000000500", "0001"),
        f.transaction("835", "000000500", "0002"),
    )
    records = [
        *f.remittance(ts_old, ["P1"], trace="T-1"),
        *f.remittance(ts_new, ["P9"], trace="T-2"),
    ]
    fake.write(tmp_path / "2.835", records)
    (result,) = import_paths(session_factory, [tmp_path / "2.835"]).files
    assert (result.status, result.claims, result.transactions, result.remittances) == (
        "imported",
        1,
        1,
        1,
    )
    assert any("T-1" in w and "skipped" in w for w in result.warnings)
    with session_factory() as s:
        assert sorted(c.patient_control_number for c in s.scalars(select(m.ClaimPayment))) == [
            "P1",
            "P9",
        ]
        assert len(s.scalars(select(m.TransactionSetRow)).all()) == 2


def test_same_837_transaction_in_another_file_is_a_duplicate(
    session_factory: SF, engine: Engine, fake: FakeReader, tmp_path: Path
) -> None:
    fake.write(tmp_path / "1.837", f.file_837(["C1", "C2"]), Format.X12_837P)
    import_paths(session_factory, [tmp_path / "1.837"])
    before = table_counts(engine)
    fake.write(tmp_path / "2.837", f.file_837(["C1", "C2"]), Format.X12_837P)
    (result,) = import_paths(session_factory, [tmp_path / "2.837"]).files
    assert result.status == "duplicate" and "837 transaction" in result.warnings[0]
    assert table_counts(engine) == before


def test_reused_837_control_numbers_with_other_claims_are_imported(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    fake.write(tmp_path / "1.837", f.file_837(["C1"]), Format.X12_837P)
    fake.write(tmp_path / "2.837", f.file_837(["C7", "C8"]), Format.X12_837P)
    run = import_paths(session_factory, [tmp_path])
    assert [r.status for r in run.files] == ["imported", "imported"]
    assert run.totals.claims == 3


def test_repeats_inside_one_file_are_each_stored_and_a_later_copy_is_caught(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    first = f.file_837(["C1", "C2"], st02="0001")
    repeat = f.file_837(["C1", "C2"], st02="0001")  # test corpora repeat whole interchanges
    other = f.file_837(["C3"], st02="0002")
    fake.write(tmp_path / "x.837", first + repeat + other, Format.X12_837P)
    payments = [
        *f.remittance(f.transaction(), ["P1"]),
        *f.remittance(f.transaction(st02="0002"), ["P2"]),
    ]
    fake.write(tmp_path / "y.835", payments)  # the same TRN02 twice
    run = import_paths(session_factory, [tmp_path])
    assert [(r.status, r.claims, r.transactions) for r in run.files] == [
        ("imported", 5, 3),
        ("imported", 2, 2),
    ]
    assert any("appears 2 times in this file" in w for w in run.files[0].warnings)
    assert any(
        "payment TRACE1 of payer PAYER01 appears 2 times" in w for w in run.files[1].warnings
    )
    with session_factory() as s:
        keys = sorted(r.payment_key or "" for r in s.scalars(select(m.Remittance)))
        assert keys == ["TRACE1", "TRACE1#2"]
        assert len(s.scalars(select(m.ClaimLine)).all()) == 5
    fake.write(tmp_path / "later" / "z.837", first + repeat, Format.X12_837P)
    (later,) = import_paths(session_factory, [tmp_path / "later"]).files
    assert later.status == "duplicate" and len(later.warnings) == 2


def test_an_error_rejects_the_file_and_keeps_only_its_reasons(
    session_factory: SF, engine: Engine, fake: FakeReader, tmp_path: Path
) -> None:
    records = [*f.file_835(["P1", "P2"]), f.error("claim P1 does not balance")]
    fake.write(tmp_path / "bad.835", records)
    run = import_paths(session_factory, [tmp_path])
    (result,) = run.files
    assert result.status == "rejected" and run.any_rejected
    assert result.errors == [
        f"{tmp_path / 'bad.835'}: segment 12 CLP04: claim P1 does not balance (claim P1) [balance.claim]"
    ]
    assert (result.claims, result.remittances) == (0, 0)
    counts = table_counts(engine)
    assert counts.pop("import_files") == 1 and counts.pop("import_issues") == 1
    assert set(counts.values()) == {0}
    with session_factory() as s:
        row = s.scalars(select(m.ImportFile)).one()
        assert (row.status, row.error_count) == ("rejected", 1)
        assert row.issues[0].element == "CLP04"


def test_a_rejected_file_imports_whole_once_fixed(
    session_factory: SF, engine: Engine, fake: FakeReader, tmp_path: Path
) -> None:
    path = tmp_path / "a.835"
    fake.write(path, [*f.file_835(["P1"]), f.error()], content="v1")
    assert import_paths(session_factory, [path]).files[0].status == "rejected"
    assert import_paths(session_factory, [path]).files[0].status == "rejected"  # again, unchanged
    fake.write(path, f.file_835(["P1"]), content="v2")
    assert import_paths(session_factory, [path]).files[0].status == "imported"
    assert table_counts(engine, ["import_files", "claim_payments"]) == {
        "import_files": 2,
        "claim_payments": 1,
    }


def test_same_content_rejected_then_accepted_by_a_fixed_reader(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    path = fake.write(tmp_path / "a.835", [*f.file_835(["P1"]), f.error()], content="same")
    assert import_paths(session_factory, [path]).files[0].status == "rejected"
    fake.streams["same"] = (f.file_835(["P1"]), Format.X12_835)
    assert import_paths(session_factory, [path]).files[0].status == "imported"
    with session_factory() as s:
        row = s.scalars(select(m.ImportFile)).one()
        assert (row.status, row.error_count, row.claims, row.issues) == ("imported", 0, 1, [])


def test_warnings_are_stored_and_linked_to_their_claim(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    records = f.file_835(["P1"])
    claim = records[1]
    assert isinstance(claim, f.ClaimPayment)
    records[1] = f.ClaimPayment(
        **{**{k: getattr(claim, k) for k in claim.__slots__}, "issues": (f.warning(),)}
    )
    records.insert(
        0, Issue(Severity.WARNING, "envelope.usage", "test interchange", 1, "ISA", "ISA15")
    )
    fake.write(tmp_path / "w.835", records)
    (result,) = import_paths(session_factory, [tmp_path]).files
    assert result.status == "imported" and len(result.warnings) == 2
    assert result.warnings[0].endswith("segment 1 ISA15: test interchange [envelope.usage]")
    with session_factory() as s:
        issues = s.scalars(select(m.ImportIssue).order_by(m.ImportIssue.id)).all()
        assert [i.claim_payment_id is not None for i in issues] == [False, True]
        assert issues[1].claim_pcn == "P1" and issues[1].severity == "warning"


def test_unknown_and_missing_files_are_rejected_with_reasons(
    session_factory: SF, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    run = import_paths(session_factory, [junk, tmp_path / "gone.835"])
    assert [r.status for r in run.files] == ["rejected", "rejected"]
    assert "not an X12 835 or 837 file" in run.files[0].errors[0]
    assert run.files[1].errors[0].startswith(f"{tmp_path / 'gone.835'}: cannot be read")


def test_reader_faults_and_read_errors_reject_the_file(
    session_factory: SF, engine: Engine, fake: FakeReader, tmp_path: Path
) -> None:
    def broken() -> object:
        yield from f.file_835(["P1"])[:2]
        raise KeyError("CLP")

    def unreadable() -> object:
        yield from f.file_835(["P2"])[:2]
        raise ReadError(tmp_path / "r.835", "the file ends inside segment 9", 9)

    fake.write(tmp_path / "b.835", broken)  # type: ignore[arg-type]
    fake.write(tmp_path / "r.835", unreadable)  # type: ignore[arg-type]
    run = import_paths(session_factory, [tmp_path])
    assert [r.status for r in run.files] == ["rejected", "rejected"]
    assert "the reader failed: KeyError" in run.files[0].errors[0]
    assert (
        "segment 9" in run.files[1].errors[0] and "ends inside segment 9" in run.files[1].errors[0]
    )
    assert table_counts(engine, ["claim_payments", "remittances"]) == {
        "claim_payments": 0,
        "remittances": 0,
    }


def test_small_batches_still_link_every_child_to_its_parent(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    pcns = [f"P{i}" for i in range(23)]
    fake.write(tmp_path / "big.835", f.file_835(pcns))
    (result,) = import_paths(session_factory, [tmp_path], batch_claims=4).files
    assert result.claims == 23
    with session_factory() as s:
        for claim in s.scalars(select(m.ClaimPayment)):
            assert [svc.line_control_number for svc in claim.services] == [
                f"{claim.patient_control_number}-1"
            ]
        rem = s.scalars(select(m.Remittance)).one()
        assert rem.claim_count == 23 and rem.balanced is True


def test_after_file_sees_the_new_ids_inside_the_transaction(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    fake.write(tmp_path / "a.835", f.file_835(["P1", "P2"]))
    fake.write(tmp_path / "b.837", f.file_837(["C1"]), Format.X12_837P)
    seen: list[tuple[str, ImportedIds, int]] = []

    def hook(session: Session, result: FileResult, ids: ImportedIds) -> None:
        visible = len(
            session.scalars(
                select(m.ClaimPayment).where(m.ClaimPayment.id.in_(ids.claim_payments))
            ).all()
        )
        seen.append((result.status, ids, visible))

    import_paths(session_factory, [tmp_path], after_file=hook)
    (s1, ids1, visible1), (_, ids2, _) = seen
    assert (s1, len(ids1.claim_payments), len(ids1.remittances), visible1) == ("imported", 2, 1, 2)
    assert (len(ids2.submitted_claims), list(ids2.claim_payments)) == (1, [])


def test_a_failing_after_file_hook_rolls_the_file_back(
    session_factory: SF, engine: Engine, fake: FakeReader, tmp_path: Path
) -> None:

    fake.write(tmp_path / "a.835", f.file_835(["P1"]))

    def hook(session: Session, result: FileResult, ids: ImportedIds) -> None:
        raise RuntimeError("analysis broke")

    with pytest.raises(ImportFailed, match="analysis broke") as failed:
        import_paths(session_factory, [tmp_path], after_file=hook)
    assert isinstance(failed.value.__cause__, RuntimeError)
    assert set(table_counts(engine).values()) == {0}
    assert import_paths(session_factory, [tmp_path]).files[0].status == "imported"


def test_transaction_end_without_claims_is_counted(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    ts = f.transaction("837", "000000777")
    fake.write(tmp_path / "empty.837", [TransactionEnd(ts, 3, 0)], Format.X12_837P)
    (result,) = import_paths(session_factory, [tmp_path]).files
    assert (result.status, result.transactions, result.claims) == ("imported", 1, 0)
