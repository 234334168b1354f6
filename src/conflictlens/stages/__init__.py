"""The pipeline's stages, one module each, in the order they run (DESIGN.md): ingest ->
structure -> analyse -> extract -> (coder: ``conflictlens.coder.decode``) -> merge ->
resolve; dedupe merges stored events across articles."""
