"""claimsdesk: claims-denial and self-pay collections."""

__version__ = "0.1.0"
