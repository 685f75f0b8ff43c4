"""What an uploaded file is, from its first bytes: format, text encoding, CSV delimiter.

Pure functions over a sample of bytes, so that the readers (``readers.py``) can decide how to open a file
before reading it as a stream. Detection never trusts the file name: a ".csv" saved by Excel may be UTF-16,
and a file renamed ".xlsx" may be a CSV.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from typing import Literal

from accord.core.errors import AccordError

SAMPLE_BYTES = 1 << 20  # enough for the encoding and delimiter of any real file, cheap to hold
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_SAMPLE_RECORDS = 50

FileFormat = Literal["csv", "xlsx", "vcard"]


class ImportFileError(AccordError):
    """The file cannot be read as a table at all; the message tells the user what to do instead.

    The only exception ``open_table`` and the rows it yields ever raise: bad rows are ``RowError``s.
    """

    status = 400
    code = "import_file_unreadable"


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    # UTF-32 would start with the UTF-16 marks; no spreadsheet program writes it, so it is not looked for.
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Signatures of files people upload by mistake, with what to do instead.
_FOREIGN_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (
        b"\xd0\xcf\x11\xe0",
        "This is an old Excel (.xls) or Office file. Open it in a spreadsheet program and save it as "
        ".xlsx or CSV.",
    ),
    (b"%PDF", "This is a PDF document. Export the data as CSV or Excel (.xlsx) instead."),
    (b"\x1f\x8b", "This is a compressed (gzip) file. Unpack it and upload the CSV or .xlsx inside."),
    (b"\x89PNG", "This is an image. Upload a CSV or Excel (.xlsx) file."),
    (b"\xff\xd8\xff", "This is an image. Upload a CSV or Excel (.xlsx) file."),
)

NOT_A_TABLE = "This file is not a CSV or Excel (.xlsx) file. Export the data as CSV or .xlsx and upload that."


def bom_encoding(sample: bytes) -> str | None:
    for mark, encoding in _BOMS:
        if sample.startswith(mark):
            return encoding
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 written without its byte-order mark: Latin text then has a zero byte in every other place."""
    head = sample[:4096]
    if len(head) < 4:
        return None
    even_zeros = head[0::2].count(0) / len(head[0::2])
    odd_zeros = head[1::2].count(0) / len(head[1::2])
    if odd_zeros > 0.3 and even_zeros < 0.05:
        return "utf-16-le"
    if even_zeros > 0.3 and odd_zeros < 0.05:
        return "utf-16-be"
    return None


def _is_utf8(sample: bytes, *, complete: bool) -> bool:
    # The sample may end in the middle of a character: an incremental decoder waits for the rest.
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        decoder.decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes, *, complete: bool) -> str:
    """The encoding of a text file: its BOM, else UTF-16 by its zero bytes, else strict UTF-8, else what
    charset-normalizer finds, else Windows-1252 (what Excel on Windows writes as "CSV")."""
    found = bom_encoding(sample) or _utf16_without_bom(sample)
    if found:
        return found
    if _is_utf8(sample, complete=complete):
        return "utf-8"
    verdict = _western_verdict(sample)
    if verdict == "western":
        return "cp1252"
    from charset_normalizer import from_bytes

    # Whole words of non-ASCII letters: another script, which Latin code pages would turn into gibberish.
    excluded = _LATIN_CODE_PAGES if verdict == "other script" else None
    best = from_bytes(sample[:65536], cp_exclusion=excluded).best()
    if best is not None and best.encoding not in {"utf_8", "ascii"}:
        # Python's codec names; charset-normalizer answers e.g. "cp1252" or "utf_16_le".
        return codecs.lookup(best.encoding).name
    return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(sample[:65536], cp_exclusion=_LATIN_CODE_PAGES).best()
    if best is not None and best.encoding not in {"utf_8", "ascii"}:
        # Python's codec names; charset-normalizer answers e.g. "cp1252" or "utf_16_le".
        return codecs.lookup(best.encoding).name
    return "cp1252"


def _western_verdict(sample: bytes) -> str:
    """ "western" when the bytes read as Western European text in Windows-1252: its accented letters sit
    among plain ASCII ones ("Müller", "José"); "other script" when whole words are non-ASCII letters (as
    Cyrillic in Windows-1251 reads in Windows-1252); "unknown" otherwise.

    charset-normalizer alone misjudges short Western files (it answers cp775 or cp1250 for "Müller;Köln"),
    and a short Western file is the commonest non-UTF-8 upload: Excel's "CSV" on Windows.
    """
    try:
        text = sample[:65536].decode("cp1252")
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D)
        return "unknown"
    letters = [character for character in text if character.isalpha()]
    foreign = [character for character in letters if not character.isascii()]
    if len(foreign) > _MOSTLY_ASCII * len(letters):
        return "other script"
    for character in text:
        if not character.isascii() and not character.isalpha() and character not in _WESTERN_SIGNS:
            return "unknown"  # "Łódź" in Windows-1250 reads "£ódŸ": a sign where a letter belongs
    return "western"


_MOSTLY_ASCII = 0.3
# Non-letters Western text uses; the rarer signs of Windows-1252 (currency sign, broken bar, diaeresis,
# macron, acute, cedilla, superscripts) are left out because other code pages' letters turn into them.
_WESTERN_SIGNS = frozenset(
    "\u20ac\u201a\u201e\u2026\u2020\u2021\u2030\u2039\u203a\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u2122\u00a0\u00a1\u00a2\u00a3\u00a5\u00a7\u00a9\u00aa\u00ab\u00ac\u00ad\u00ae\u00b0\u00b1\u00b5\u00b6\u00b7\u00ba\u00bb\u00bc\u00bd\u00be\u00bf\u00d7\u00f7"
)  # euro, low and angle quotes, ellipsis, daggers, per mille, curly quotes, bullet, dashes, Latin-1 signs
# Code pages for Latin script: when whole words are non-ASCII, the text is in another script, and these
# (which charset-normalizer favours for short samples) would turn it into accented gibberish.
_LATIN_CODE_PAGES = [
    "cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_4", "iso8859_9",
    "iso8859_13", "iso8859_15", "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish", "cp437",
    "cp775", "cp850", "cp852", "cp858", "hp_roman8",
]  # fmt: skip


def check_looks_like_text(text: str) -> None:
    """Refuse binary content that happened to decode: text files have almost no control characters."""
    if not text:
        return
    controls = sum(1 for character in text if character < " " and character not in "\t\r\n\f")
    if "\x00" in text or controls > max(2, len(text) // 100):
        raise ImportFileError(NOT_A_TABLE)


def sniff_format(sample: bytes) -> FileFormat:
    """XLSX by its zip signature, vCard by its first line, CSV otherwise; known other formats refused."""
    if sample.startswith(b"PK\x03\x04") or sample.startswith(b"PK\x05\x06"):
        return "xlsx"  # whether the zip really is a workbook is checked when it is opened
    for signature, message in _FOREIGN_SIGNATURES:
        if sample.startswith(signature):
            raise ImportFileError(message)
    encoding = bom_encoding(sample) or _utf16_without_bom(sample) or "latin-1"
    try:
        head = sample[:200].decode(encoding, errors="ignore")
    except LookupError:  # pragma: no cover - the encodings above all exist
        head = ""
    if head.lstrip("\ufeff \t\r\n").upper().startswith("BEGIN:VCARD"):
        return "vcard"
    return "csv"


def _field_counts(text: str, delimiter: str, *, complete: bool) -> list[int]:
    """Fields per non-blank record of the first records of ``text`` read with ``delimiter``; quotes are
    honoured, so a delimiter inside a quoted cell is not counted."""
    counts: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                counts.append(len(record))
            if len(counts) > DELIMITER_SAMPLE_RECORDS:
                break
    except csv.Error:
        pass  # a broken quote in the sample: judge on what was read
    if not complete and len(counts) > 1 and len(counts) <= DELIMITER_SAMPLE_RECORDS:
        counts.pop()  # the sample may cut the last record short
    return counts


def detect_delimiter(text: str, *, complete: bool) -> str:
    """The delimiter among , ; TAB | whose field counts agree best with the header's.

    csv.Sniffer guesses from character frequencies and is easily fooled (a ";" in every address, a decimal
    comma in every amount); the header line is what a spreadsheet user lines the columns up against, so a
    delimiter scores by the share of records with as many fields as the header, then by field count.
    """
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        if delimiter not in text:
            continue
        counts = _field_counts(text, delimiter, complete=complete)
        if not counts or counts[0] < 2:
            continue
        header_width = counts[0]
        agreeing = Counter(counts)[header_width] / len(counts)
        score = (agreeing, header_width)
        if score > best_score:
            best, best_score = delimiter, score
    return best
