"""How names are compared: folded to plain lowercase letters, nicknames read as the name they stand for,
company names without their legal form. Used by the scan and by the check of a single record alike."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np

# Letters that Unicode decomposition leaves alone but that people type without their stroke.
_SPELLED_OUT = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "þ": "th", "ð": "d"})
# How German umlauts are written without them, as email addresses do: Jörg -> joerg.
_GERMAN_SPELLING = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_A_LETTER = re.compile(r"[^a-z0-9 ]+")

# Nicknames and short forms, read as the given name they stand for ("Bill Smith" is "William Smith").
# Kept small and common on purpose: each entry is a chance to join two different people.
NICKNAMES: dict[str, str] = {
    "bill": "william",
    "billy": "william",
    "will": "william",
    "liam": "william",
    "bob": "robert",
    "bobby": "robert",
    "rob": "robert",
    "robbie": "robert",
    "bert": "robert",
    "dick": "richard",
    "rick": "richard",
    "rich": "richard",
    "richie": "richard",
    "jim": "james",
    "jimmy": "james",
    "jamie": "james",
    "mike": "michael",
    "mick": "michael",
    "micha": "michael",
    "tom": "thomas",
    "tommy": "thomas",
    "tony": "anthony",
    "toni": "anton",
    "joe": "joseph",
    "joey": "joseph",
    "sepp": "josef",
    "dave": "david",
    "davy": "david",
    "chris": "christopher",
    "kit": "christopher",
    "steve": "stephen",
    "stevie": "stephen",
    "steven": "stephen",
    "dan": "daniel",
    "danny": "daniel",
    "matt": "matthew",
    "matze": "matthias",
    "nick": "nicholas",
    "nico": "nicolas",
    "klaus": "nikolaus",
    "alex": "alexander",
    "sasha": "alexander",
    "sascha": "alexander",
    "sam": "samuel",
    "ben": "benjamin",
    "andy": "andrew",
    "drew": "andrew",
    "ed": "edward",
    "eddie": "edward",
    "ted": "edward",
    "ned": "edward",
    "fred": "frederick",
    "freddie": "frederick",
    "fritz": "friedrich",
    "hans": "johannes",
    "jo": "johanna",
    "hanna": "johanna",
    "jack": "john",
    "johnny": "john",
    "jon": "jonathan",
    "nate": "nathan",
    "pat": "patrick",
    "paddy": "patrick",
    "pete": "peter",
    "phil": "philip",
    "ron": "ronald",
    "greg": "gregory",
    "jeff": "jeffrey",
    "ken": "kenneth",
    "larry": "lawrence",
    "tim": "timothy",
    "charlie": "charles",
    "chuck": "charles",
    "hank": "henry",
    "harry": "henry",
    "kate": "katherine",
    "katie": "katherine",
    "kathy": "katherine",
    "cathy": "catherine",
    "kathi": "katharina",
    "kati": "katharina",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "betty": "elizabeth",
    "lisa": "elisabeth",
    "sabine": "sabine",
    "maggie": "margaret",
    "meg": "margaret",
    "peggy": "margaret",
    "gretchen": "margarete",
    "jenny": "jennifer",
    "jen": "jennifer",
    "sue": "susan",
    "susie": "susan",
    "suzy": "susan",
    "becky": "rebecca",
    "vicky": "victoria",
    "abby": "abigail",
    "mandy": "amanda",
    "debbie": "deborah",
    "sandy": "sandra",
    "pam": "pamela",
    "tina": "christina",
    "chrissy": "christina",
    "steffi": "stefanie",
    "lena": "magdalena",
    "leni": "helene",
    "paco": "francisco",
    "pepe": "jose",
    "lola": "dolores",
    "manu": "manuel",
    "javi": "javier",
    "gigi": "luigi",
    "beppe": "giuseppe",
    "franz": "franziskus",
    "ulli": "ulrich",
    "uli": "ulrich",
    "wolle": "wolfgang",
    "jens": "jens",
    "gerd": "gerhard",
    "bernd": "bernhard",
}

# Legal forms and filler words that say nothing about which company it is.
_COMPANY_NOISE = frozenset(
    [
        "gmbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "mbh",
        "co",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "llc",
        "ltd",
        "limited",
        "plc",
        "lp",
        "llp",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "ab",
        "as",
        "asa",
        "oy",
        "aps",
        "sp",
        "zoo",
        "z",
        "o",
        "the",
        "and",
        "group",
        "holding",
        "holdings",
        "company",
        "cie",
    ]
)

# Local parts of shared mailboxes: the same "info@" at two addresses says nothing about a person.
GENERIC_LOCAL_PARTS = frozenset(
    [
        "info",
        "contact",
        "kontakt",
        "hello",
        "hallo",
        "office",
        "sales",
        "admin",
        "mail",
        "support",
        "team",
        "service",
        "billing",
        "accounts",
        "hr",
        "jobs",
        "noreply",
        "no-reply",
        "post",
        "enquiries",
        "inquiries",
        "marketing",
        "webmaster",
    ]
)


def fold(text: str) -> str:
    """Lowercase letters and digits only, accents dropped, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPELLED_OUT))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_A_LETTER.sub(" ", plain).split())


def given_key(text: str) -> str:
    """A given name as compared: folded, a nickname read as the full name."""
    folded = fold(text)
    return NICKNAMES.get(folded, folded)


def company_key(text: str) -> str:
    """A company name as compared: folded, without its legal form ("ACME GmbH & Co. KG" -> "acme")."""
    words = [word for word in fold(text).split() if word not in _COMPANY_NOISE]
    return " ".join(words) or fold(text)


def person_key(given: str, family: str) -> str:
    """The name of a person as compared: both parts, the given name's nickname resolved."""
    return f"{given_key(given)} {fold(family)}".strip()


def block_keys(given: str, family: str) -> tuple[str, str]:
    """The two name blocks a person falls in: family-name prefix + given initial, and the same with the
    parts swapped, so "Schmidt Anna" (typed the wrong way round) meets "Anna Schmidt"."""
    first, last = given_key(given).replace(" ", ""), fold(family).replace(" ", "")
    return f"{last[:3]}|{first[:1]}", f"{first[:3]}|{last[:1]}"


def local_part(email: str) -> str:
    """The part before the @ when it can name a person; empty for shared mailboxes and very short ones."""
    local = email.split("@", 1)[0]
    return "" if len(local) < 4 or local in GENERIC_LOCAL_PARTS else local


def factorize(values: Iterable[object]) -> tuple[np.ndarray, list[object]]:
    """Integer codes of the values (equal values, equal codes) and the distinct values in code order.
    A dict is faster than sorting a million Python strings (np.unique on an object array)."""
    seen: dict[object, int] = {}
    codes = np.fromiter((seen.setdefault(value, len(seen)) for value in values), dtype=np.int64)
    return codes, list(seen)


def mapped(codes: np.ndarray, distinct: list[object], function: object) -> np.ndarray:
    """``function`` applied to each distinct value once, spread back over the codes (an object array)."""
    results = np.empty(len(distinct), dtype=object)
    results[:] = [function(value) for value in distinct]  # type: ignore[operator]
    return results[codes]


def says_more_than_name(local: str, *names: str) -> bool:
    """Whether an email local part shared by two records is evidence of its own: "captain.jack" is;
    "anna.schmidt" and "anna.schmidt2" are not (every Anna Schmidt may have one at another provider,
    numbered on repeats: at 1,000,000 demo contacts such pairs were three in four of those found)."""
    letters = re.sub(r"[^a-z]", "", fold(local))
    spellings = [*names, *(name.lower().translate(_GERMAN_SPELLING) for name in names)]
    for name in spellings:
        words = fold(name).split()
        if not words:
            continue
        joined = "".join(words)
        made_of_name = {
            joined,
            "".join(reversed(words)),
            words[0][:1] + "".join(words[1:]),
            "".join(words[:-1]) + words[-1][:1],
            *words,
        }
        if letters in made_of_name:
            return False
    return True
