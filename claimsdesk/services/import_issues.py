"""The issues of one file as the user reads them: counts, and capped lists of messages.

Every message names the file, the segment number and id (or element) and the cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parsers.records import Issue, Record, Severity

MAX_MESSAGES = 200  # per list in a FileResult; every warning is still stored
MAX_STORED_ERRORS = 1_000  # error rows kept for a rejected file


def describe(path: str, issue: Issue) -> str:
    """'in.835: segment 42 CLP04: cause (claim PCN1) [code]'."""
    claim = f" (claim {issue.claim})" if issue.claim else ""
    return f"{path}: {issue.where()}: {issue.message}{claim} [{issue.code}]"


@dataclass
class IssueLog:
    """Errors and warnings of one file."""

    path: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error_issues: list[Issue] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    kept_warnings: int = 0

    def add(self, issue: Issue) -> bool:
        """Record an issue; True when it is a warning (to be stored with the file)."""
        if issue.severity is Severity.ERROR:
            self.error_count += 1
            if len(self.errors) < MAX_MESSAGES:
                self.errors.append(describe(self.path, issue))
            if len(self.error_issues) < MAX_STORED_ERRORS:
                self.error_issues.append(issue)
            return False
        self.warning_count += 1
        if len(self.warnings) < MAX_MESSAGES:
            self.warnings.append(describe(self.path, issue))
            self.kept_warnings += 1
        return True

    def collect_errors(self, record: Record) -> None:
        """After a rejection only the issues of the remaining records matter."""
        if isinstance(record, Issue):
            self.add(record)
            return
        for issue in getattr(record, "issues", ()):
            self.add(issue)

    def add_error(self, code: str, message: str, segment_index: int | None = None) -> None:
        """A file-level error (unreadable, unknown format, reader failure)."""
        self.add(Issue(Severity.ERROR, code, message, segment_index))

    def note(self, text: str) -> None:
        """A plain warning line (duplicate reasons), not stored as an issue row."""
        if len(self.warnings) < MAX_MESSAGES:
            self.warnings.append(text)

    def finished_lists(self) -> tuple[list[str], list[str]]:
        """Warnings and errors, with a closing line when some were left out."""
        warnings, errors = list(self.warnings), list(self.errors)
        if self.warning_count > self.kept_warnings:
            warnings.append(f"{self.path}: … and more warnings ({self.warning_count} in all)")
        if self.error_count > len(self.errors):
            errors.append(f"{self.path}: … and more errors ({self.error_count} in all)")
        return warnings, errors
