"""Realistic, deterministic demo data loaded in bulk: ``accord demo`` (see ``generate.load_demo``)."""

MAX_CONTACTS = 10_000_000
