"""A memory-lean tarot reading API."""

__version__ = "0.1.0"
