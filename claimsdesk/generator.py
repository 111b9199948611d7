"""Synthetic batches: matching 837P/837I claims and 835 remittances, deterministic by seed.

Payers (ids and names as payer_rules/README.md lists them; filing indicator in brackets):
  SXMB1  MEDICARE PART B SYNTHETIC MAC  [MB]  professional claims, pays by ACH
  SXMB2  MEDICARE PART B SYNTHETIC MAC  [MB]  outpatient institutional claims, ACH
  SXMCD  LAKESHORE STATE MEDICAID       [MC]  professional and inpatient, crossover secondary
  SXBLW  BLUEWATER HEALTH PLAN          [CI]  commercial PPO (inpatient DRG case rates), check
  SXSCI  SUMMIT CREST INSURANCE         [CI]  commercial HMO (outpatient % of billed), check
Billing providers: LAKESHORE FAMILY MEDICINE (837P), LAKESHORE COMMUNITY HOSPITAL (837I).

Claims are drawn in payment cycles (default 5,000 claims, 14 days apart). Each cycle writes
its 837P and 837I files and one 835 file per payer, holding one ST..SE per payee (a payment).
The mix: paid as contracted with PR-1/2/3 patient shares and CO-45, paid in full, deductible,
short paid against the contract (beyond payer_rules tolerance), denied (CARC 16, 27, 50, 97,
197, 29, 18, 22 at claim or line level), Medicare crossovers (CLP02 19 + NM1*TT, then the
Medicaid CLP02 2 in the next cycle), commercial primaries followed by our secondary 837 (SBR S,
2320/2330/2430) and the secondary's CLP02 2, reversals (CLP02 22) with corrected payments,
PLB interest (L6) and recoupments (WO), and a few claims never answered.
Every 835 balances: lines, claims (CLP05 = sum PR) and BPR02 = sum CLP04 - sum PLB.

Determinism: one random.Random(seed) drives everything and dates start from a seed-chosen
day in 2024; nothing reads the clock. Memory stays bounded: one cycle is held at a time, so
generate_batch(1_000_000, ...) streams. single_835=True writes one 837P, one 837I and one
835 file for the whole batch (for benchmarks).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from claimsdesk.generator_claims import Case, make_case
from claimsdesk.generator_data import PAYERS
from claimsdesk.generator_files import Outputs, remittances_for
from claimsdesk.generator_remit import Adjudicator, Followup, Paid
from parsers.records import SubmittedClaim
from payer_rules import load_rulebook

CYCLE_DAYS = 14  # days between submission cycles
PAYMENT_LAG_DAYS = 12  # days from submission to the payers' checks


def generate_batch(
    n_claims: int,
    seed: int,
    out_dir: Path,
    *,
    single_835: bool = False,
    cycle_size: int = 5000,
) -> list[Path]:
    """Write a matching 837 and 835 batch to out_dir; returns the files in import order."""
    if n_claims < 1 or cycle_size < 1:
        raise ValueError("n_claims and cycle_size must be at least 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(365))
    adjudicator = Adjudicator(load_rulebook(), rng, seed)
    outputs = Outputs(out_dir, seed, single=single_835)
    pending = Followup()
    cycles = -(-n_claims // cycle_size)
    try:
        for cycle in range(cycles + 1):
            first = cycle * cycle_size
            count = max(0, min(cycle_size, n_claims - first))
            submitted = start + dt.timedelta(days=CYCLE_DAYS * cycle)
            pending = _cycle(
                adjudicator, outputs, cycle, range(first, first + count), submitted, pending
            )
    except BaseException:
        outputs.abort()
        raise
    return outputs.close()


def _cycle(
    adjudicator: Adjudicator,
    outputs: Outputs,
    cycle: int,
    indexes: range,
    submitted: dt.date,
    pending: Followup,
) -> Followup:
    """One cycle: new claims plus last cycle's follow-ups; returns this cycle's follow-ups."""
    rng, seed = adjudicator.rng, adjudicator.seed
    cases: list[Case] = []
    for index in indexes:
        case = make_case(rng, seed, index, submitted)
        adjudicator.prepare(case)
        cases.append(case)
    claims: list[SubmittedClaim] = [c.claim for c in cases] + pending.claims
    when = dt.datetime.combine(submitted, dt.time(17, 30))
    for kind in ("837P", "837I"):
        batch = [c for c in claims if c.kind == kind]
        if batch:
            outputs.claims(cycle, kind, batch, when)
    paid_on = submitted + dt.timedelta(days=PAYMENT_LAG_DAYS)
    answers: list[Paid] = list(pending.payments)
    following = Followup()
    for case in cases:
        paid, later = adjudicator.answer(case, paid_on)
        answers.extend(paid)
        if later is not None:
            following.claims.extend(later.claims)
            following.payments.extend(later.payments)
    _write_remits(outputs, rng, cycle, answers, paid_on)
    return following


def _write_remits(
    outputs: Outputs, rng: random.Random, cycle: int, answers: Sequence[Paid], paid_on: dt.date
) -> None:
    by_payer: dict[str, list[Paid]] = defaultdict(list)
    for item in answers:
        by_payer[item.payer.payer_id].append(item)
    when = dt.datetime.combine(paid_on, dt.time(6, 0))
    for payer_id in sorted(by_payer):
        payer = PAYERS[payer_id]
        remittances = remittances_for(outputs, rng, payer, cycle, by_payer[payer_id], paid_on)
        outputs.remits(cycle, payer, remittances, when)


def main(argv: Sequence[str] | None = None) -> int:
    """python -m claimsdesk.generator N SEED OUT_DIR [--single]."""
    parser = argparse.ArgumentParser(description="Write a synthetic 837/835 batch.")
    parser.add_argument("n_claims", type=int)
    parser.add_argument("seed", type=int)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--single", action="store_true", help="one 837P, 837I and 835 file")
    args = parser.parse_args(argv)
    for path in generate_batch(args.n_claims, args.seed, args.out_dir, single_835=args.single):
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
