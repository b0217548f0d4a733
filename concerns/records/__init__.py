"""The records the archive laws ask for: the journal, the public journal, the archive export.

See docs/archive.md and ADR 0006.
"""
