"""Honing: the platform for the LLM improvement loop."""

__version__ = "0.1.0"

__all__ = ["__version__"]
