"""EOB references resolved against the Bundle and contained resources, as X12 parties."""

from __future__ import annotations

from dataclasses import replace

from parsers.fhir_codes import JSON, as_dict, as_list, codings, date_of, first_code, strings
from parsers.records import Address, Party

# Resource types an EOB points at that the reader uses; others are not indexed.
INDEXED = frozenset(
    {"Organization", "Practitioner", "PractitionerRole", "Patient", "RelatedPerson", "Coverage"}
    | {"Claim"}
)
# Identifier type codes / systems -> X12 id qualifier (NM108 / N103).
_NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
_TIN_SYSTEM = "urn:oid:2.16.840.1.113883.4.4"
_ID_BY_TYPE = {"NPI": "XX", "TAX": "FI", "payerid": "PI", "naiccode": "NI", "MB": "MI", "um": "MI"}
_PAYER_ORDER = ("PI", "NI", "FI", "XX")
_PROVIDER_ORDER = ("XX", "FI", "PI")
_REF_QUALIFIER = {"PI": "2U", "NI": "NF", "FI": "TJ"}  # REF01 for the extra identifiers
_GENDER = {"male": "M", "female": "F", "unknown": "U"}


class References:
    """Resources of one file by fullUrl and by Type/id, for resolving references."""

    def __init__(self) -> None:
        self._by_key: dict[str, JSON] = {}

    def add(self, resource: JSON, full_url: str = "") -> None:
        """Index a resource under its fullUrl and its Type/id."""
        kind, rid = resource.get("resourceType"), resource.get("id")
        if kind not in INDEXED:
            return
        if full_url:
            self._by_key[full_url] = resource
        if rid:
            self._by_key[f"{kind}/{rid}"] = resource

    def resolve(self, reference: object, contained: list[JSON]) -> JSON | None:
        """The resource a Reference points at: contained '#id', fullUrl, or Type/id."""
        ref = str(as_dict(reference).get("reference") or "")
        if not ref:
            return None
        if ref.startswith("#"):
            return next((c for c in contained if c.get("id") == ref[1:]), None)
        ref = ref.split("/_history/", 1)[0]
        found = self._by_key.get(ref)
        if found is None and "/" in ref and not ref.startswith("urn:"):
            found = self._by_key.get("/".join(ref.rstrip("/").rsplit("/", 2)[-2:]))
        return found


def _qualifier(identifier: JSON) -> str:
    """X12 id qualifier of a FHIR Identifier, '' when unknown."""
    system = str(identifier.get("system", ""))
    if system == _NPI_SYSTEM:
        return "XX"
    if system == _TIN_SYSTEM:
        return "FI"
    for coding in codings(identifier.get("type")):
        qualifier = _ID_BY_TYPE.get(str(coding.get("code", "")))
        if qualifier:
            return qualifier
    return ""


def _identifiers(resource: JSON) -> list[tuple[str, str]]:
    """(X12 qualifier, value) of every valued identifier, qualifier '' when unknown."""
    return [
        (_qualifier(i), str(i["value"]))
        for i in as_list(resource.get("identifier"))
        if i.get("value") not in (None, "")
    ]


def _address(resource: JSON) -> Address | None:
    """First FHIR Address as N3/N4."""
    found = as_list(resource.get("address"))
    if not found:
        return None
    a = found[0]
    lines = strings(a.get("line"))
    return Address(
        line1=lines[0] if lines else "",
        line2=lines[1] if len(lines) > 1 else "",
        city=str(a.get("city", "")),
        state=str(a.get("state", "")),
        postal_code=str(a.get("postalCode", "")),
        country=str(a.get("country", "")),
    )


def _pick(ids: list[tuple[str, str]], order: tuple[str, ...]) -> tuple[str, str]:
    """Best identifier by qualifier preference, else the first one."""
    for qualifier in order:
        for q, value in ids:
            if q == qualifier:
                return q, value
    return ids[0] if ids else ("", "")


def party(
    entity_code: str, reference: object, resource: JSON | None, order: tuple[str, ...]
) -> Party | None:
    """A Party from a resolved resource, else from the Reference's display and identifier."""
    ref = as_dict(reference)
    if resource is None:
        logical = as_dict(ref.get("identifier"))
        ids = [(_qualifier(logical), str(logical["value"]))] if logical.get("value") else []
        name = str(ref.get("display") or "")
        if not name and not ids:
            return None
        qualifier, value = _pick(ids, order)
        return Party(entity_code, name, id_qualifier=qualifier, identifier=value)
    ids = _identifiers(resource)
    qualifier, value = _pick(ids, order)
    refs = tuple(
        (_REF_QUALIFIER[q], v)
        for q, v in ids
        if q in _REF_QUALIFIER and (q, v) != (qualifier, value)
    )
    if qualifier in _REF_QUALIFIER:
        refs = ((_REF_QUALIFIER[qualifier], value), *refs)
    person = resource.get("resourceType") in ("Practitioner", "Patient", "RelatedPerson")
    names = as_list(resource.get("name"))
    base = Party(
        entity_code,
        str(ref.get("display") or "")
        if person
        else str(resource.get("name") or ref.get("display") or ""),
        id_qualifier=qualifier,
        identifier=value,
        entity_type="1" if person else "2",
        address=_address(resource),
        refs=refs,
        birth_date=date_of(resource.get("birthDate")),
        gender=_GENDER.get(str(resource.get("gender", "")), ""),
    )
    return _with_person_name(base, names[0]) if person and names else base


def _with_person_name(base: Party, name: JSON) -> Party:
    """Fill NM103-NM107 from a FHIR HumanName."""
    given = strings(name.get("given"))
    suffix = strings(name.get("suffix"))
    return replace(
        base,
        last_or_org_name=str(name.get("family") or name.get("text") or base.last_or_org_name),
        first_name=given[0] if given else "",
        middle_name=" ".join(given[1:]),
        suffix=suffix[0] if suffix else "",
    )


def payer_party(eob: JSON, refs: References, contained: list[JSON]) -> Party | None:
    """1000A payer (N1*PR) from EOB.insurer."""
    insurer = eob.get("insurer")
    return party("PR", insurer, refs.resolve(insurer, contained), _PAYER_ORDER)


def payee_party(eob: JSON, refs: References, contained: list[JSON]) -> Party | None:
    """1000B payee (N1*PE) from EOB.provider."""
    provider = eob.get("provider")
    return party("PE", provider, refs.resolve(provider, contained), _PROVIDER_ORDER)


def patient_party(eob: JSON, refs: References, contained: list[JSON]) -> Party | None:
    """NM1*QC patient from EOB.patient (member id as MI)."""
    patient = eob.get("patient")
    return party("QC", patient, refs.resolve(patient, contained), ("MI",))


def rendering_party(eob: JSON, refs: References, contained: list[JSON]) -> Party | None:
    """NM1*82 rendering provider: the careTeam member with role rendering or performing."""
    for member in as_list(eob.get("careTeam")):
        if first_code(member.get("role")) in ("rendering", "performing"):
            provider = member.get("provider")
            return party("82", provider, refs.resolve(provider, contained), _PROVIDER_ORDER)
    return None


def insured_party(coverage: JSON | None, refs: References, contained: list[JSON]) -> Party | None:
    """NM1*IL insured from the focal Coverage: subscriber's name, subscriberId as MI."""
    if coverage is None:
        return None
    subscriber = coverage.get("subscriber")
    found = party("IL", subscriber, refs.resolve(subscriber, contained), ("MI",))
    member_id = str(coverage.get("subscriberId") or "")
    if not member_id:
        return found
    return replace(found or Party("IL"), id_qualifier="MI", identifier=member_id)
