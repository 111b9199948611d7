"""Built-in synthetic reference data for the batch generator: payers, providers, people, codes.

Every name, id and address is invented. Payer ids and names follow payer_rules/README.md;
prices come from payer_rules (fee schedules and contracts) so a "paid as contracted" claim
is not flagged and a deliberate short pay is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from parsers.records import Address, Party


@dataclass(frozen=True, slots=True)
class PayerInfo:
    """A synthetic payer as the generator uses it."""

    payer_id: str  # NM109 (2010BB) / REF*2U (835 1000A)
    name: str
    filing_indicator: str  # SBR09 of our 837s (CI commercial, MB, MC)
    short: str  # prefix of its claim numbers and check traces
    tax_id: str  # TRN03 is '1' + this
    payment_method: str  # BPR04 ACH or CHK
    address: Address
    remit_filing_indicator: str = ""  # CLP06: the 835 has no CI (12 PPO, HM HMO)

    @property
    def clp06(self) -> str:
        """CLP06 claim filing indicator as the 835 code list allows it."""
        return self.remit_filing_indicator or self.filing_indicator


def _payer(
    pid: str, name: str, filing: str, short: str, tin: str, method: str, city: str
) -> PayerInfo:
    return PayerInfo(
        pid,
        name,
        filing,
        short,
        tin,
        method,
        Address("PO BOX 00" + tin[-3:], "", city, "IL", "00" + tin[-3:]),
    )


MEDICARE_PRO = _payer(
    "SXMB1", "MEDICARE PART B SYNTHETIC MAC", "MB", "MB", "000000101", "ACH", "LAKESHORE CITY"
)
MEDICARE_INST = _payer(
    "SXMB2", "MEDICARE PART B SYNTHETIC MAC", "MB", "MC", "000000102", "ACH", "LAKESHORE CITY"
)
MEDICAID = _payer(
    "SXMCD", "LAKESHORE STATE MEDICAID", "MC", "MD", "000000120", "ACH", "CAPITOL SPRINGS"
)
BLUEWATER = replace(
    _payer("SXBLW", "BLUEWATER HEALTH PLAN", "CI", "BW", "000000133", "CHK", "BLUEWATER BAY"),
    remit_filing_indicator="12",
)
SUMMIT = replace(
    _payer("SXSCI", "SUMMIT CREST INSURANCE", "CI", "SC", "000000204", "CHK", "SUMMIT FALLS"),
    remit_filing_indicator="HM",
)
PAYERS = {p.payer_id: p for p in (MEDICARE_PRO, MEDICARE_INST, MEDICAID, BLUEWATER, SUMMIT)}

PROFESSIONAL_PAYERS = (MEDICARE_PRO, MEDICAID, BLUEWATER, SUMMIT)
PROFESSIONAL_WEIGHTS = (35, 20, 25, 20)
OUTPATIENT_PAYERS = (MEDICARE_INST, SUMMIT)  # fee schedule (facility) / percent of billed
INPATIENT_PAYERS = (BLUEWATER, MEDICAID)  # DRG case rate / per diem
COMMERCIAL = (BLUEWATER, SUMMIT)


def luhn_npi(stem: str) -> str:
    """A 10-digit NPI whose check digit passes the Luhn test with the 80840 prefix."""
    digits = [int(c) for c in "80840" + stem]
    total = 0
    for n, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if n % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return stem + str((10 - total % 10) % 10)


_CLINIC_ADDRESS = Address("400 HARBOR LIGHT DR", "SUITE 2", "LAKESHORE CITY", "IL", "006010400")
_HOSPITAL_ADDRESS = Address("1 INFIRMARY HILL RD", "", "LAKESHORE CITY", "IL", "006010001")

CLINIC = Party(
    "85",
    "LAKESHORE FAMILY MEDICINE",
    id_qualifier="XX",
    identifier=luhn_npi("190000010"),
    entity_type="2",
    address=_CLINIC_ADDRESS,
    refs=(("EI", "001000010"),),
)
HOSPITAL = Party(
    "85",
    "LAKESHORE COMMUNITY HOSPITAL",
    id_qualifier="XX",
    identifier=luhn_npi("190000020"),
    entity_type="2",
    address=_HOSPITAL_ADDRESS,
    refs=(("EI", "001000020"),),
)
RENDERING = tuple(
    Party("82", last, first, id_qualifier="XX", identifier=luhn_npi(stem), entity_type="1")
    for last, first, stem in (
        ("QUILLFEATHER", "MARISOL", "290000031"),
        ("VANTERPOOL", "DESMOND", "290000042"),
        ("ORCHARDSON", "PRIYA", "290000053"),
    )
)
ATTENDING = tuple(
    Party("71", last, first, id_qualifier="XX", identifier=luhn_npi(stem), entity_type="1")
    for last, first, stem in (
        ("HOLLINGBROOK", "AUGUSTINE", "290000064"),
        ("FENWILDE", "NADIA", "290000075"),
    )
)
SUBMITTER = Party(
    "41", "LAKESHORE BILLING SERVICE", id_qualifier="46", identifier="SXSUBMIT01", entity_type="2"
)
CLEARINGHOUSE = Party(
    "40", "SYNTHETIC CLEARINGHOUSE", id_qualifier="46", identifier="SXCLEAR01", entity_type="2"
)

FIRST_NAMES = (
    "ADA",
    "BRAM",
    "CELESTE",
    "DORIAN",
    "ELSPETH",
    "FINNEGAN",
    "GWENDOLYN",
    "HOLLIS",
    "IMOGEN",
    "JASPER",
    "KESTREL",
    "LORCAN",
    "MIRABEL",
    "NEVILLE",
    "OPHELIA",
    "PERCIVAL",
    "QUINCE",
    "ROSALIND",
    "SILAS",
    "TAMSIN",
    "ULRIC",
    "VIOLETTA",
    "WENDELL",
    "XANTHE",
    "YARDLEY",
    "ZINNIA",
)
LAST_NAMES = (
    "ALDERWICK",
    "BRACKENRIDGE",
    "CORVELLAN",
    "DUNMARROW",
    "EASTERBY",
    "FAIRWEATHERLY",
    "GALLOWBROOK",
    "HAZELTINE",
    "INKWARD",
    "JESSAMYNE",
    "KETTLEWORTH",
    "LARKSPURREN",
    "MOSSGROVE",
    "NETHERCOTT",
    "OAKENSHAW",
    "PENDLEBURY",
    "QUARRINGTON",
    "RUSHWORTHY",
    "SALTMARSH",
    "THISTLEDOWN",
    "UNDERHOLT",
    "VELLACOTT",
    "WINTERBOURNE",
    "YARROWFIELD",
)
STREETS = (
    "LANTERN WAY",
    "MILLRACE RD",
    "COPPER BEECH LN",
    "OSPREY CT",
    "TANNERY ST",
    "WILLOW BEND",
)
CITIES = (
    ("LAKESHORE CITY", "IL", "00601"),
    ("BLUEWATER BAY", "IL", "00602"),
    ("SUMMIT FALLS", "IL", "00603"),
)

DIAGNOSES = (
    "E119",
    "I10",
    "J069",
    "M5450",
    "R0789",
    "Z0000",
    "E785",
    "K219",
    "N390",
    "J45909",
    "M1711",
    "R51",
)


@dataclass(frozen=True, slots=True)
class Service:
    """A billable service: procedure code, modifiers, revenue code, and our charge."""

    code: str
    charge: Decimal  # chargemaster price per unit
    modifiers: tuple[str, ...] = ()
    revenue_code: str = ""
    units: int = 1


def _svc(
    code: str, charge: str, mods: tuple[str, ...] = (), rev: str = "", units: int = 1
) -> Service:
    return Service(code, Decimal(charge), mods, rev, units)


OFFICE_VISITS = tuple(
    _svc(c, p)
    for c, p in (
        ("99202", "185"),
        ("99203", "285"),
        ("99212", "145"),
        ("99213", "230"),
        ("99214", "325"),
        ("99215", "455"),
    )
)
ANCILLARY = (
    _svc("36415", "25"),
    _svc("80053", "65"),
    _svc("85025", "45"),
    _svc("93000", "85"),
    _svc("71046", "210"),
    _svc("73630", "180"),
    _svc("20610", "260"),
    _svc("97110", "95", units=2),
    _svc("97140", "85"),
    _svc("90471", "45"),
    _svc("G0008", "60"),
    _svc("11042", "420"),
)
OUTPATIENT_LINES = (
    _svc("99284", "1150", rev="0450"),
    _svc("80053", "210", rev="0301"),
    _svc("85025", "140", rev="0305"),
    _svc("71046", "640", rev="0324"),
    _svc("73630", "520", rev="0320"),
    _svc("J1885", "12", rev="0636", units=4),
    _svc("93000", "260", rev="0730"),
)
INPATIENT_LINES = (  # revenue-code lines of an inpatient bill (no HCPCS); units are per day
    _svc("", "2850", rev="0120"),
    _svc("", "640", rev="0250"),
    _svc("", "410", rev="0300"),
)
DRGS = (
    ("194", Decimal("0.9451")),
    ("291", Decimal("1.3454")),
    ("392", Decimal("0.7544")),
    ("470", Decimal("1.9003")),
    ("871", Decimal("1.8564")),
)

# Denials: CARC, group, whole claim (True) or one line, RARC (MOA03 / LQ*HE).
DENIALS = (
    ("16", "CO", False, "M51"),
    ("27", "CO", True, "N30"),
    ("50", "CO", False, "N115"),
    ("97", "CO", False, "M15"),
    ("197", "CO", True, "N54"),
    ("29", "CO", True, ""),
    ("18", "OA", True, ""),
    ("22", "CO", True, "MA04"),
)
COPAYS = (Decimal("20"), Decimal("30"), Decimal("40"))
DEDUCTIBLES = (Decimal("50"), Decimal("100"), Decimal("250"))
