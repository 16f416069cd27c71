"""gridconsole: the keyboard console of a street grid-governance dispatch centre."""

__version__ = "0.1.0"
