"""Finding rules: pure functions from claim and payment views to findings, in a registry.

Importing this package registers every rule module (one per finding kind).
"""

from __future__ import annotations

from claimsdesk.domain.findings import (  # noqa: F401 - imported to register their rules
    claim_edits,
    cob,
    coding,
    denial,
    no_response,
    remittance,
    underpayment,
)
from claimsdesk.domain.findings.claim_edits import check_claim_before_submit
from claimsdesk.domain.findings.draft import (
    FindingDraft,
    FindingKind,
    FindingStatus,
    fingerprint,
)
from claimsdesk.domain.findings.engine import (
    RulesCache,
    RulesLookup,
    evaluate,
    evaluate_claim,
    evaluate_payment,
)
from claimsdesk.domain.findings.registry import REGISTRY, Rule, Subject, rule_named

__all__ = [
    "REGISTRY",
    "FindingDraft",
    "FindingKind",
    "FindingStatus",
    "Rule",
    "RulesCache",
    "RulesLookup",
    "Subject",
    "check_claim_before_submit",
    "evaluate",
    "evaluate_claim",
    "evaluate_payment",
    "fingerprint",
    "rule_named",
]
