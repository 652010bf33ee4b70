"""Readers that show what other calendar parsers make of an .ics file (see readers.py)."""
