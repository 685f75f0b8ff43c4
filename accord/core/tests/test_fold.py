import unicodedata

import pytest

from accord.core.search import fold


def _decomposed(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


@pytest.mark.parametrize(
    "text",
    [
        "Ada.Lovelace@Example.COM",
        "O'Brien-Smith 42",
        "",
        "\t~{}|",
        "José Müller",
        "ﬁnance Ⅳ",
        "Łódź",
        "İstanbul",
    ],
)
def test_ascii_and_other_text_fold_alike(text: str) -> None:
    assert fold(text) == _decomposed(text)


def test_accents_and_case_go() -> None:
    assert fold("José MÜLLER") == "jose muller"
