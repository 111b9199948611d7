"""Results of an import: per file, per run, and the ids handed to the after_file hook."""

from __future__ import annotations

from array import array
from collections.abc import Callable, MutableSequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

Status = str  # "imported" | "duplicate" | "rejected"


@dataclass
class FileResult:
    """What happened to one file; counts are what this run stored (0 unless imported)."""

    path: str
    format: str
    status: Status
    transactions: int = 0
    claims: int = 0  # CLP loops (835), CLM (837), EOBs (FHIR)
    service_lines: int = 0
    remittances: int = 0
    payment_total: Decimal = Decimal("0.00")
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, money as a string."""
        return {
            "path": self.path,
            "format": self.format,
            "status": self.status,
            "transactions": self.transactions,
            "claims": self.claims,
            "service_lines": self.service_lines,
            "remittances": self.remittances,
            "payment_total": str(self.payment_total),
            "warnings": list(self.warnings),
            "errors": list(self.errors),
        }


@dataclass(frozen=True)
class Totals:
    """Sums over the files of a run."""

    files: int
    imported: int
    duplicate: int
    rejected: int
    transactions: int
    claims: int
    service_lines: int
    remittances: int
    payment_total: Decimal
    warnings: int
    errors: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, money as a string."""
        out: dict[str, Any] = dict(vars(self))
        out["payment_total"] = str(self.payment_total)
        return out


@dataclass
class ImportRun:
    """Every file of one import_paths call, in the order handled."""

    files: list[FileResult] = field(default_factory=list)

    @property
    def totals(self) -> Totals:
        """Counts by status and sums of what was stored."""
        f = self.files
        return Totals(
            files=len(f),
            imported=sum(r.status == "imported" for r in f),
            duplicate=sum(r.status == "duplicate" for r in f),
            rejected=sum(r.status == "rejected" for r in f),
            transactions=sum(r.transactions for r in f),
            claims=sum(r.claims for r in f),
            service_lines=sum(r.service_lines for r in f),
            remittances=sum(r.remittances for r in f),
            payment_total=sum((r.payment_total for r in f), Decimal("0.00")),
            warnings=sum(len(r.warnings) for r in f),
            errors=sum(len(r.errors) for r in f),
        )

    @property
    def any_rejected(self) -> bool:
        """True when at least one file was refused (the CLI exits non-zero)."""
        return any(r.status == "rejected" for r in self.files)

    def to_dict(self) -> dict[str, Any]:
        """The --json document: {"files": [...], "totals": {...}}."""
        return {"files": [r.to_dict() for r in self.files], "totals": self.totals.to_dict()}


@dataclass
class ImportedIds:
    """Rows a file created, handed to the after_file hook before the commit (machine-int
    arrays: a million-claim file's ids take 8 MB, not the 40 MB of a list of ints)."""

    claim_payments: MutableSequence[int] = field(default_factory=lambda: array("q"))
    submitted_claims: MutableSequence[int] = field(default_factory=lambda: array("q"))
    remittances: MutableSequence[int] = field(default_factory=lambda: array("q"))

    def mark(self) -> tuple[int, int, int]:
        """Lengths now, to cut back to after a savepoint rollback."""
        return len(self.claim_payments), len(self.submitted_claims), len(self.remittances)

    def cut(self, mark: tuple[int, int, int]) -> None:
        """Forget ids created after `mark` (their rows were rolled back)."""
        del self.claim_payments[mark[0] :]
        del self.submitted_claims[mark[1] :]
        del self.remittances[mark[2] :]


AfterFile = Callable[[Session, FileResult, ImportedIds], None]
"""Called inside the file's transaction, before its commit, for imported files only."""
