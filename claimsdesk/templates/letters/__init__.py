"""Letter templates (package data): appeal.html."""
