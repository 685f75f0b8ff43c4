"""Dates and times as spreadsheets and CRMs write them, read fast and without guessing the day/month order.

ISO 8601 always works. "03/04/2025" is the 3rd of April or the 4th of March depending on the country the
file comes from: the import states the order (``day_first``), and ``detect_day_first`` suggests it from
the dates in a column that can only be read one way (31/12/2025). A date that cannot be what the order
says (12/31/2025 read day first) is an error that tells the user to switch the order, never a silent swap.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from accord.imports.values import CellError, Memo

_TIME = (
    r"(?:[ T]+|,\s*)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"\s*(?P<meridiem>[AaPp]\.?[Mm]\.?)?\s*(?P<offset>Z|[+-]\d{2}:?\d{2}|UTC|GMT)?"
)
_NUMERIC = re.compile(
    rf"^(?P<a>\d{{1,4}})(?P<separator>[./-])(?P<b>\d{{1,2}})(?P=separator)(?P<c>\d{{2,4}})(?:{_TIME})?$"
)
_MONTH_FIRST = re.compile(
    rf"^(?:[A-Za-z]+,?\s+)?(?P<month>[A-Za-z]{{3,9}})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})(?:{_TIME})?$"
)
_DAY_FIRST = re.compile(
    rf"^(?:[A-Za-z]+,?\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\.?[\s-]+(?P<month>[A-Za-z]{{3,9}})\.?,?[\s-]+(?P<year>\d{{2,4}})(?:{_TIME})?$"
)
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 1 is 1900-01-01; Excel's phantom 29 Feb 1900 is skipped
_LAST_SERIAL = 2958465  # 9999-12-31


def _year(text: str) -> int:
    """Two-digit years as strptime reads them: 69-99 are the 1900s, 00-68 the 2000s."""
    year = int(text)
    if len(text) == 2:
        return year + (1900 if year >= 69 else 2000)
    return year


def detect_day_first(samples: Iterable[str]) -> bool | None:
    """Whether the numeric dates among ``samples`` put the day first (31/12/2025), the month first
    (12/31/2025), or None when no sample tells (every part ≤ 12, or the samples disagree)."""
    day_first = month_first = False
    for sample in samples:
        match = _NUMERIC.match(sample.strip())
        if match is None or len(match["a"]) == 4:
            continue  # ISO order is never ambiguous
        first, second = int(match["a"]), int(match["b"])
        day_first |= first > 12 >= second
        month_first |= second > 12 >= first
    if day_first == month_first:
        return None
    return day_first


class DateReader:
    """Reads the dates of one column. Values repeat a lot in a large file, so each distinct text is
    parsed once (``Memo``); the day/month order and the time zone are the import's."""

    def __init__(self, *, day_first: bool, time_zone: dt.tzinfo, excel_serials: bool) -> None:
        self.day_first = day_first
        self.time_zone = time_zone
        self.excel_serials = excel_serials  # a number in an XLSX date column is Excel's day count
        self._dates: Memo[dt.date] = Memo()
        self._datetimes: Memo[dt.datetime] = Memo()

    def date(self, text: str) -> dt.date:
        return self._dates.get(text, self._parse_date)

    def datetime(self, text: str) -> dt.datetime:
        return self._datetimes.get(text, self._parse_datetime)

    def _parse_date(self, text: str) -> dt.date:
        if len(text) == 10 and text[4] == "-":
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        return self._parse(text).date()  # a date and time in a date column: the day is what counts

    def _parse_datetime(self, text: str) -> dt.datetime:
        value = self._parse(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.time_zone)
        return value

    def _parse(self, text: str) -> dt.datetime:
        """A naive or aware datetime, or CellError."""
        if len(text) >= 10 and text[4] == "-":
            try:
                return dt.datetime.fromisoformat(text)
            except ValueError:
                pass
        match = _NUMERIC.match(text)
        if match:
            return self._numeric(text, match)
        match = _MONTH_FIRST.match(text) or _DAY_FIRST.match(text)
        if match and match["month"].lower() in _MONTHS:
            return self._build(
                text, _year(match["year"]), _MONTHS[match["month"].lower()], int(match["day"]), match
            )
        if self.excel_serials and _SERIAL.match(text) and 0 < float(text) <= _LAST_SERIAL:
            return _EXCEL_EPOCH + dt.timedelta(days=float(text))
        example = "31/12/2025" if self.day_first else "12/31/2025"
        raise CellError(f"'{text}' is not a date. Write dates as 2025-12-31 or {example}.")

    def _numeric(self, text: str, match: re.Match[str]) -> dt.datetime:
        first, second, third = match["a"], match["b"], match["c"]
        if len(first) == 4:
            return self._build(text, int(first), int(second), int(third), match)
        if len(first) > 2:
            raise CellError(f"'{text}' is not a date.")
        day, month = (first, second) if self.day_first else (second, first)
        try:
            return self._build(text, _year(third), int(month), int(day), match)
        except CellError:
            swapped_is_valid = _is_date(_year(third), int(day), int(month))
            if not swapped_is_valid:
                raise
            order, other = ("day/month", "month/day") if self.day_first else ("month/day", "day/month")
            raise CellError(
                f"{text} is not a date when read as {order}/year. If this file writes dates as "
                f"{other}/year, choose that order for the import."
            ) from None

    def _build(self, text: str, year: int, month: int, day: int, match: re.Match[str]) -> dt.datetime:
        try:
            value = dt.datetime(year, month, day)
        except ValueError:
            raise CellError(f"{text} is not a date.") from None
        if match["hour"] is None:
            return value
        return _with_time(text, value, match)


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _with_time(text: str, day: dt.datetime, match: re.Match[str]) -> dt.datetime:
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    microsecond = int((match["fraction"] or "0")[:6].ljust(6, "0"))
    meridiem = (match["meridiem"] or "").replace(".", "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise CellError(f"{text} is not a time of day.")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    try:
        value = day.replace(hour=hour, minute=minute, second=second, microsecond=microsecond)
    except ValueError:
        raise CellError(f"{text} is not a time of day.") from None
    offset = match["offset"]
    if offset in {"Z", "UTC", "GMT"}:
        return value.replace(tzinfo=dt.UTC)
    if offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if delta >= dt.timedelta(hours=24):
            raise CellError(f"{text} has an impossible time zone offset.")
        return value.replace(tzinfo=dt.timezone(sign * delta))
    return value
