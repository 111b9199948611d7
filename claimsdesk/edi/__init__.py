"""X12 output for claimsdesk: 837/835 writers and pyx12 validation on demand."""

from __future__ import annotations
