from pathlib import Path

from accord.access.role_table import role_table

SECURITY_DOC = Path(__file__).resolve().parents[3] / "docs" / "security.md"


def test_the_security_page_shows_the_built_in_roles_as_they_are() -> None:
    assert role_table() in SECURITY_DOC.read_text()
