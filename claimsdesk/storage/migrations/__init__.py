"""Alembic migrations, shipped inside the package and run by claimsdesk.storage.db.upgrade."""
