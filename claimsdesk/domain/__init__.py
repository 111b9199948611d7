"""Domain: pure snapshots and rules; no sessions, no engines."""
