"""Every model module of the schema; importing this package fills Base.metadata.

Model modules are discovered, so a later helper's module (findings, ledger ...) joins the
metadata Alembic compares against without editing this file.
"""

from __future__ import annotations

import importlib
import pkgutil

from claimsdesk.storage.models.base import Base


def load_all() -> None:
    """Import every module of this package so its tables join Base.metadata."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


load_all()

__all__ = ["Base", "load_all"]
