"""transitguard: control of a sealed transit corridor."""

__version__ = "0.1.0"
