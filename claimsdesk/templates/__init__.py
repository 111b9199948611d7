"""Jinja templates claimsdesk renders outside the web desk (letters)."""
