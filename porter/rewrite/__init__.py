"""Applying edits and writing files: one pass, no overlaps, atomic writes."""
