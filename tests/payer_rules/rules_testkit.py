"""Helpers for payer_rules tests: write a small rules directory on disk."""

from __future__ import annotations

from pathlib import Path

MINIMAL_DEFAULT = """\
timely_filing_days = 90
appeal_days = 60
appeal_receipt_days = 0
follow_up_days = 30
crossover_wait_days = 30
"""

MINIMAL_PAYER = """\
name = "Test Payer"
match = { payer_ids = ["T0001"] }
"""

SCHEDULE = """\
procedure,modifier,amount,facility_amount
99213,,100.00,70.00
71046,,40.00,
71046,26,12.00,
71046,TC,28.00,
J1885,,0.42,
"""


def write_rules(
    root: Path,
    default: str = MINIMAL_DEFAULT,
    payers: dict[str, str] | None = None,
    files: dict[str, str] | None = None,
) -> Path:
    """A rules directory: default.toml, payers/<name>.toml and any other files by path."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "default.toml").write_text(default, encoding="utf-8")
    (root / "payers").mkdir(exist_ok=True)
    for name, text in (payers or {}).items():
        (root / "payers" / f"{name}.toml").write_text(text, encoding="utf-8")
    for relative, text in (files or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
