"""Persistence: engine and session factories, models, migrations and named queries."""
