"""Declarative per-payer rules: filing and appeal clocks, contracts, denial categories.

Never imports claimsdesk. Load once with load_rulebook(), pick a payer with
Rulebook.for_payer(), then call the pure helpers (expected_allowed, underpayment,
categorize, appealable) and the PayerRules clock methods.
"""

from __future__ import annotations

from .categories import (
    CARC_CATEGORY,
    NO_APPEAL_RARCS,
    RARC_CATEGORY,
    RECOVERABILITY,
    DenialCategory,
    appeal_block_reason,
    appealable,
    categorize,
    is_denial,
    paid_as_contracted,
)
from .codes import (
    GROUP_CODE_MEANINGS,
    describe_adjustment,
    describe_carc,
    describe_group,
    describe_rarc,
    is_carc,
    is_rarc,
    load_descriptions,
)
from .evaluate import (
    appeal_deadline,
    crossover_due,
    expected_allowed,
    follow_up_due,
    is_facility_setting,
    timely_filing_deadline,
    underpayment,
)
from .loader import DEFAULT_DIRECTORY, check_rules, load_rulebook
from .model import (
    AppealMethod,
    AppealRoute,
    Contract,
    ContractMethod,
    FeeSchedule,
    PayerRules,
    Problem,
    Rulebook,
    RuleError,
    SecondaryRules,
    Tolerance,
    cents,
)

__all__ = [
    "CARC_CATEGORY",
    "DEFAULT_DIRECTORY",
    "GROUP_CODE_MEANINGS",
    "NO_APPEAL_RARCS",
    "RARC_CATEGORY",
    "RECOVERABILITY",
    "AppealMethod",
    "AppealRoute",
    "Contract",
    "ContractMethod",
    "DenialCategory",
    "FeeSchedule",
    "PayerRules",
    "Problem",
    "RuleError",
    "Rulebook",
    "SecondaryRules",
    "Tolerance",
    "appeal_block_reason",
    "appeal_deadline",
    "appealable",
    "categorize",
    "cents",
    "check_rules",
    "crossover_due",
    "describe_adjustment",
    "describe_carc",
    "describe_group",
    "describe_rarc",
    "expected_allowed",
    "follow_up_due",
    "is_carc",
    "is_denial",
    "is_facility_setting",
    "is_rarc",
    "load_descriptions",
    "load_rulebook",
    "paid_as_contracted",
    "timely_filing_deadline",
    "underpayment",
]
