"""Input files -> validated rows -> store (SPEC §3): encodings, delimiters, aliases, labels, quarantine.

The public entry point is `loaders.ingest.ingest_files`; `loaders.schemas` declares the kinds.
"""
from loaders.ingest import FileReport, exit_code, ingest_files

__all__ = ["FileReport", "exit_code", "ingest_files"]
