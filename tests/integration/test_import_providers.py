"""Providers merge what each file knows: the 837 billing address is kept whatever came first."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import recordkit as f
from fakes import FakeReader
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimsdesk.services.imports import import_paths
from claimsdesk.storage.models import ingest as m
from parsers.records import Address, Format, Party, Record, RemittanceHeader, SubmittedClaim

SF = sessionmaker[Session]
NPI = "1234567893"
BILLING = Party(
    "85", "SYNTHETIC CLINIC LLC", entity_type="2", id_qualifier="XX", identifier=NPI,
    address=Address("100 MAIN ST", "SUITE 4", "ALBANY", "NY", "122070001"),
    refs=(("EI", "123456789"),),
)  # fmt: skip
LOCKBOX = Address("PO BOX 999", "", "NEWARK", "NJ", "071010999")


def payment_file(payee: Party, trace: str, isa13: str) -> list[Record]:
    """An 835 whose N1*PE is `payee`."""
    records = f.file_835(["P1"], trace=trace, isa13=isa13)
    header = dataclasses.replace(records[0], payee=payee)
    assert isinstance(header, RemittanceHeader)
    return [header, *(_with_header(r, header) for r in records[1:])]


def _with_header(record: Record, header: RemittanceHeader) -> Record:
    if isinstance(record, f.RemittanceTrailer):
        return dataclasses.replace(record, header=header)
    return record


def claim_file(pcns: list[str], billing: Party, isa13: str = "000000201") -> list[Record]:
    """An 837 billing with `billing`."""
    records = f.file_837(pcns, isa13=isa13)
    return [
        dataclasses.replace(r, billing_provider=billing) if isinstance(r, SubmittedClaim) else r
        for r in records
    ]


def provider(session_factory: SF) -> m.Provider:
    with session_factory() as s:
        return s.scalars(select(m.Provider).where(m.Provider.npi == NPI)).one()


def address(p: m.Provider) -> tuple[str, str, str, str]:
    return (p.address_line1, p.city, p.state, p.postal_code)


def test_837_after_835_fills_the_payee_without_address(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    payee = Party("PE", "SYNTHETIC CLINIC", id_qualifier="XX", identifier=NPI)
    fake.write(tmp_path / "1.835", payment_file(payee, "T-1", "000000101"))
    fake.write(tmp_path / "2.837", claim_file(["C1"], BILLING), Format.X12_837P)
    run = import_paths(session_factory, [tmp_path / "1.835", tmp_path / "2.837"])
    assert [r.status for r in run.files] == ["imported", "imported"]
    row = provider(session_factory)
    assert address(row) == ("100 MAIN ST", "ALBANY", "NY", "122070001")
    assert (row.name, row.entity_type, row.tax_id) == ("SYNTHETIC CLINIC LLC", "2", "123456789")
    with session_factory() as s:
        remittance = s.scalars(select(m.Remittance)).one()
        claim = s.scalars(select(m.SubmittedClaim)).one()
        assert remittance.payee_id == claim.billing_provider_id == row.id
        assert len(s.scalars(select(m.Provider)).all()) == 1


def test_billing_address_wins_over_a_payee_address_and_stays(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    payee = Party("PE", "CLINIC REMIT", id_qualifier="XX", identifier=NPI, address=LOCKBOX)
    fake.write(tmp_path / "1.835", payment_file(payee, "T-1", "000000101"))
    import_paths(session_factory, [tmp_path / "1.835"])
    assert address(provider(session_factory)) == ("PO BOX 999", "NEWARK", "NJ", "071010999")
    fake.write(tmp_path / "2.837", claim_file(["C1"], BILLING), Format.X12_837P)
    import_paths(session_factory, [tmp_path / "2.837"])
    row = provider(session_factory)
    assert address(row) == ("100 MAIN ST", "ALBANY", "NY", "122070001")
    assert row.name == "SYNTHETIC CLINIC LLC"
    # a later payee address (or none) does not displace the billing address
    fake.write(tmp_path / "3.835", payment_file(payee, "T-3", "000000103"))
    bare = Party("PE", "", id_qualifier="XX", identifier=NPI)
    fake.write(tmp_path / "4.835", payment_file(bare, "T-4", "000000104"))
    run = import_paths(session_factory, [tmp_path / "3.835", tmp_path / "4.835"])
    assert [r.status for r in run.files] == ["imported", "imported"]
    row = provider(session_factory)
    assert address(row) == ("100 MAIN ST", "ALBANY", "NY", "122070001")
    assert row.name == "SYNTHETIC CLINIC LLC"


def test_one_file_merges_a_provider_seen_first_without_address(
    session_factory: SF, fake: FakeReader, tmp_path: Path
) -> None:
    """Claim 1 names a sole proprietor only as rendering provider; claim 2 bills under the
    same NPI. With one claim per batch the first row is written before the address is read."""
    rendering = Party("82", "SMITH", "ANN", id_qualifier="XX", identifier=NPI)
    billing = dataclasses.replace(BILLING, last_or_org_name="SMITH", first_name="ANN")
    billing = dataclasses.replace(billing, entity_type="1")
    bare = Party("85", "OTHER CLINIC", id_qualifier="XX", identifier="1999999976")
    records = claim_file(["C1", "C2"], billing)
    first = records[0]
    assert isinstance(first, SubmittedClaim)
    records[0] = dataclasses.replace(first, billing_provider=bare, providers=(rendering,))
    fake.write(tmp_path / "1.837", records, Format.X12_837P)
    (result,) = import_paths(session_factory, [tmp_path / "1.837"], batch_claims=1).files
    assert result.status == "imported"
    row = provider(session_factory)
    assert address(row) == ("100 MAIN ST", "ALBANY", "NY", "122070001")
    assert (row.name, row.first_name, row.entity_type) == ("SMITH", "ANN", "1")
    with session_factory() as s:
        claims = s.scalars(select(m.SubmittedClaim).order_by(m.SubmittedClaim.id)).all()
        assert claims[0].rendering_provider_id == claims[1].billing_provider_id == row.id
