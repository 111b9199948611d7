"""X12 writers in one place: 837P/837I claims and 835 remittances, streamed to text."""

from __future__ import annotations

from claimsdesk.edi.writer_835 import (
    Remittance,
    Writer835,
    balanced_amount,
    write_835,
    write_835_file,
)
from claimsdesk.edi.writer_837 import Contact, Writer837, write_837, write_837_file
from claimsdesk.edi.x12out import Envelope, WriteSummary, X12WriteError

__all__ = [
    "Contact",
    "Envelope",
    "Remittance",
    "WriteSummary",
    "Writer835",
    "Writer837",
    "X12WriteError",
    "balanced_amount",
    "write_835",
    "write_835_file",
    "write_837",
    "write_837_file",
]
