"""vCard (RFC 6350, 4.0) for contacts: written as 4.0, read from 4.0, 3.0 (RFC 2426) and 2.1.

An own parser rather than vobject: files exported by phones and old CRMs are often not quite valid
(a missing END, a bare parameter, quoted-printable soft line breaks, Windows-1252 bytes), and an import
must take every card it can read and never fail halfway through a file. Reading is total: a file that
is not vCard at all raises ``VCardError`` before any row is handed out; anything odd inside a card
leaves that property out or passes its text on for the import's validation to judge, row by row.
"""

from __future__ import annotations

import datetime as dt
import quopri
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

FOLD_OCTETS = 75  # RFC 6350 §3.2: lines longer than 75 octets should be folded
# The contacts import fields (accord.imports.fields.CONTACTS) a card fills: the mapping is the identity.
HEADERS = [
    "given_name",
    "family_name",
    "full_name",
    "email",
    "other_emails",
    "phone",
    "mobile_phone",
    "other_phones",
    "job_title",
    "company_name",
    "tags",
]
# Contact labels that are vCard TYPE values of their own (RFC 6350 §6.4.1, §6.4.2); others are left out.
_EMAIL_TYPES = {"work": "work", "home": "home"}
_PHONE_TYPES = {"mobile": "cell", "cell": "cell", "work": "work", "home": "home", "fax": "fax"}
_MOBILE = {"cell", "mobile", "iphone"}


@dataclass(frozen=True)
class CardRows:
    """The cards of a file as rows of text cells under ``headers``, read lazily; the import's file reader
    (``accord.imports.readers``) hands them on as a table like a CSV file's."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    fraction_read: Callable[[], float]


class VCardError(ValueError):
    """The file is not a vCard file (or not one this reader can decode): nothing in it is read."""


# ---------------------------------------------------------------- writing


@dataclass(frozen=True)
class Channel:
    """An email address or a phone number of a card."""

    value: str
    label: str = ""
    is_primary: bool = False


@dataclass(frozen=True)
class Card:
    """What a contact's vCard holds."""

    uid: str
    given_name: str
    family_name: str
    full_name: str
    emails: Sequence[Channel] = ()
    phones: Sequence[Channel] = ()
    organization: str = ""
    title: str = ""
    categories: Sequence[str] = ()
    revised: dt.datetime | None = None


def escape(value: str) -> str:
    """A TEXT value (RFC 6350 §3.4): backslash, comma, semicolon and line breaks escaped."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return re.sub(r"\r\n|\r|\n", r"\\n", value)


def fold(line: str) -> str:
    """``line`` folded into lines of at most 75 octets, never inside a UTF-8 character (RFC 6350 §3.2)."""
    pieces: list[str] = []
    current: list[str] = []
    size, limit = 0, FOLD_OCTETS
    for character in line:
        octets = len(character.encode("utf-8", "surrogatepass"))
        if size + octets > limit:
            pieces.append("".join(current))
            # A continuation line starts with a space, which counts towards its 75 octets.
            current, size, limit = [], 0, FOLD_OCTETS - 1
        current.append(character)
        size += octets
    pieces.append("".join(current))
    return "\r\n ".join(pieces) + "\r\n"


def _parameters(label: str, types: dict[str, str], *, is_primary: bool) -> str:
    kind = types.get(label.strip().lower())
    return (f";TYPE={kind}" if kind else "") + (";PREF=1" if is_primary else "")


def _tel_uri(number: str) -> str:
    """A phone number as a tel: URI (RFC 3966): E.164 numbers are global, others kept as typed."""
    return "tel:" + re.sub(r"[^0-9+*#A-Za-z;=.\-()]", "", number.replace(" ", "-"))


def vcard(card: Card) -> str:
    """One contact as a vCard 4.0, with CRLF line ends and folded lines."""
    full_name = card.full_name or next((email.value for email in card.emails), "") or "Unnamed contact"
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"UID:{card.uid}",
        f"FN:{escape(full_name)}",
        f"N:{escape(card.family_name)};{escape(card.given_name)};;;",
    ]
    for email in sorted(card.emails, key=lambda email: not email.is_primary):
        lines.append(
            f"EMAIL{_parameters(email.label, _EMAIL_TYPES, is_primary=email.is_primary)}:{escape(email.value)}"
        )
    for phone in sorted(card.phones, key=lambda phone: not phone.is_primary):
        parameters = _parameters(phone.label, _PHONE_TYPES, is_primary=phone.is_primary)
        lines.append(f"TEL;VALUE=uri{parameters}:{_tel_uri(phone.value)}")
    if card.organization:
        lines.append(f"ORG:{escape(card.organization)}")
    if card.title:
        lines.append(f"TITLE:{escape(card.title)}")
    if card.categories:
        lines.append("CATEGORIES:" + ",".join(escape(name) for name in card.categories))
    if card.revised is not None:
        lines.append(f"REV:{card.revised.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}")
    lines.append("END:VCARD")
    return "".join(fold(line) for line in lines)


# ---------------------------------------------------------------- reading


@dataclass
class Property:
    """One content line: ``[group.]NAME;PARAM=VALUE…:value``, names upper-cased, parameters lower-cased."""

    name: str
    parameters: dict[str, list[str]] = field(default_factory=dict)
    value: str = ""

    def types(self) -> set[str]:
        return {kind.lower() for kind in self.parameters.get("type", [])}

    def preference(self) -> int:
        """Lower is preferred (RFC 6350 PREF=1..100; 3.0 and 2.1 say TYPE=pref or a bare PREF)."""
        for value in self.parameters.get("pref", []):
            if value.isdigit():
                return int(value)
        return 1 if "pref" in self.types() or "pref" in self.parameters else 101


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Files from old phones and Outlook: Windows-1252, the usual legacy encoding of vCard 2.1.
        return data.decode("cp1252", errors="replace")


_QUOTED_PRINTABLE = re.compile(r"[;:]\s*(?:ENCODING\s*=\s*)?QUOTED-PRINTABLE\b", re.IGNORECASE)


def _unfold(text: str) -> Iterator[tuple[int, str]]:
    """Logical lines with their offset in ``text``: folded lines joined (a leading space or tab
    continues a line), and 2.1's quoted-printable soft line breaks (a trailing "=") joined too."""
    offset, logical, start = 0, "", 0
    for physical in re.split(r"\r\n|\r|\n", text):
        if physical[:1] in (" ", "\t") and logical:
            logical += physical[1:]
        elif logical.endswith("=") and _QUOTED_PRINTABLE.search(logical.split(":", 1)[0] + ":"):
            logical = logical[:-1] + physical
        else:
            if logical:
                yield start, logical
            logical, start = physical, offset
        offset += len(physical) + 1
    if logical:
        yield start, logical


def _split_unquoted(text: str, separator: str) -> list[str]:
    """``text`` split on ``separator`` outside double quotes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for character in text:
        if character == '"':
            quoted = not quoted
        if character == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    return parts


def parse_line(line: str) -> Property | None:
    """A content line as a ``Property``; None when it has no name or no colon."""
    head, colon, value = "", "", ""
    quoted = False
    for index, character in enumerate(line):
        if character == '"':
            quoted = not quoted
        elif character == ":" and not quoted:
            head, colon, value = line[:index], ":", line[index + 1 :]
            break
    if not colon:
        return None
    name, *raw_parameters = _split_unquoted(head, ";")
    name = name.rsplit(".", 1)[-1].strip().upper()  # "item1.EMAIL": the group does not matter here
    if not name:
        return None
    parameters: dict[str, list[str]] = {}
    for raw in raw_parameters:
        key, equals, values = raw.partition("=")
        key = key.strip().lower()
        if not equals:  # 2.1: "TEL;CELL;PREF:…" or "EMAIL;INTERNET:…"
            if key in ("quoted-printable", "base64", "8bit", "7bit", "b"):
                parameters.setdefault("encoding", []).append(key)
            elif key:
                parameters.setdefault("type", []).append(key)
            continue
        items = [item.strip().strip('"') for item in _split_unquoted(values, ",")]
        parameters.setdefault(key, []).extend(item for item in items if item)
    return Property(name=name, parameters=parameters, value=_decoded_value(value, parameters))


def _decoded_value(value: str, parameters: dict[str, list[str]]) -> str:
    """The value as text: 2.1's quoted-printable in its CHARSET decoded (UTF-8 when none is named)."""
    if "quoted-printable" not in {item.lower() for item in parameters.get("encoding", [])}:
        return value
    raw = quopri.decodestring(value.encode("utf-8", "surrogatepass"))
    charset = (parameters.get("charset") or ["utf-8"])[0]
    try:
        return raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return raw.decode("cp1252", errors="replace")


_ESCAPES = {"n": "\n", "N": "\n", "\\": "\\", ",": ",", ";": ";"}


def split_value(value: str, separator: str) -> list[str]:
    """A structured or list value split on unescaped ``separator``, each part unescaped."""
    parts, current, index = [], [], 0
    while index < len(value):
        character = value[index]
        if character == "\\" and index + 1 < len(value):
            following = value[index + 1]
            current.append(_ESCAPES.get(following, following))
            index += 2
            continue
        if character == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
        index += 1
    parts.append("".join(current))
    return parts


_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def unescape(value: str) -> str:
    return _ESCAPED.sub(lambda match: _ESCAPES.get(match.group(1), match.group(1)), value)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _by_preference(properties: list[Property]) -> list[Property]:
    return sorted(properties, key=Property.preference)  # stable: equal preference keeps the file's order


def _phone_number(value: str) -> str:
    """A TEL value as a number: a tel: URI's scheme and parameters (";ext=…") left out."""
    value = unescape(value).strip()
    if value.lower().startswith("tel:"):
        value = value[4:].split(";", 1)[0]
    return _one_line(value)


def card_cells(properties: list[Property]) -> list[str]:
    """One card's cells, in the order of ``HEADERS``."""
    first: dict[str, Property] = {}
    emails: list[Property] = []
    phones: list[Property] = []
    categories: list[str] = []
    for item in properties:
        if item.name == "EMAIL":
            emails.append(item)
        elif item.name == "TEL":
            phones.append(item)
        elif item.name == "CATEGORIES":
            categories += [_one_line(name) for name in split_value(item.value, ",")]
        else:
            first.setdefault(item.name, item)
    names = split_value(first["N"].value, ";") if "N" in first else []
    family, given = (_one_line(part) for part in ([*names, "", ""])[:2])
    email_values = [_one_line(unescape(item.value)) for item in _by_preference(emails)]
    email_values = [value for value in email_values if value]
    mobile = next((item for item in phones if item.types() & _MOBILE), None)
    others = [item for item in _by_preference(phones) if item is not mobile]
    numbers = [number for number in (_phone_number(item.value) for item in others) if number]
    organization = split_value(first["ORG"].value, ";")[0] if "ORG" in first else ""
    return [
        given,
        family,
        _one_line(unescape(first["FN"].value)) if "FN" in first else "",
        email_values[0] if email_values else "",
        "; ".join(email_values[1:]),
        numbers[0] if numbers else "",
        _phone_number(mobile.value) if mobile is not None else "",
        "; ".join(numbers[1:]),
        _one_line(unescape(first["TITLE"].value)) if "TITLE" in first else "",
        _one_line(organization),
        "; ".join(dict.fromkeys(name for name in categories if name)),
    ]


def _cards(lines: Iterator[tuple[int, str]]) -> Iterator[tuple[int, list[Property]]]:
    """The properties of each top-level card, with the card's offset; cards nested in a property (2.1's
    AGENT) are skipped, and a card cut off by the end of the file keeps what it had."""
    depth, start = 0, 0
    properties: list[Property] = []
    for offset, line in lines:
        item = parse_line(line)
        if item is None:
            continue
        keyword = item.value.strip().upper()
        if item.name == "BEGIN" and keyword == "VCARD":
            depth += 1
            if depth == 1:
                start, properties = offset, []
        elif item.name == "END" and keyword == "VCARD" and depth:
            depth -= 1
            if depth == 0:
                yield start, properties
        elif depth == 1:
            properties.append(item)
    if depth:
        yield start, properties


def vcard_rows(file: IO[bytes]) -> CardRows:
    """The cards of a vCard file (4.0, 3.0 or 2.1) as contacts import rows, one row per card (the
    first card is row 2, as if under a header row), with the contacts import's field names as headers.

    Raises ``VCardError`` when the file holds no card, before any row is read.
    """
    data = file.read()
    if not isinstance(data, bytes):
        raise VCardError("The file could not be read as bytes.")
    text = _decode(data)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise VCardError("This is not a vCard file: it holds binary data.")
    if not re.search(r"^[ \t]*BEGIN[ \t]*:[ \t]*VCARD[ \t\r]*$", text, re.IGNORECASE | re.MULTILINE):
        raise VCardError("This is not a vCard file: it holds no BEGIN:VCARD line.")
    position = [0]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, (offset, properties) in enumerate(_cards(_unfold(text)), start=2):
            position[0] = offset
            yield number, card_cells(properties)
        position[0] = len(text)

    return CardRows(
        headers=list(HEADERS), rows=rows(), fraction_read=lambda: position[0] / len(text) if text else 1.0
    )


def vcard_text(cards: Sequence[Card]) -> str:
    return "".join(vcard(card) for card in cards)
