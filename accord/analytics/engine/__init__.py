"""The analytics engine: per-customer numpy arrays in, per-customer numpy arrays out.

Nothing here imports Django (an import-linter contract holds it), so the same code serves the CRM's
refresh, the ``accord analytics`` commands on any transaction log, and the tests against the papers.
"""
