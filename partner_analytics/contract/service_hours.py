"""Service hours: when a channel (or one of its sites) is open, and its holidays (formulas.md §1.10).

A contract measures its service levels on the contacts that arrive while the service is open:
opening hours by weekday, closed on the holidays listed in the contract and/or on a country's public
holidays (the `holidays` library's calendars, so no calendar is written by hand here). The contacts
outside the hours still count in volumes, charges and the corridor; a channel can measure them apart
(`outside_hours: measure_apart`: their own service level, abandon rate and ASA, never mixed into the
committed ones).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator, model_validator

from ..core.errors import did_you_mean

__all__ = ["WEEKDAYS", "Holidays", "Opening", "ServiceHours", "opening_windows"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


def _seconds(hours: str, minutes: str, text: str) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m > 0):
        raise ValueError(f"{text!r} is not a time of day (expected HH:MM from 00:00 to 24:00)")
    return h * 3600 + m * 60


def _window(text: Any) -> tuple[int, int]:
    """'08:00-18:00' as (start, end) in seconds since midnight, end excluded (24:00 closes at midnight)."""
    if isinstance(text, (tuple, list)) and len(text) == 2 and all(isinstance(x, int) for x in text):
        text = _shown(*text)  # terms already read, validated again (a what-if's changed contract)
    match = _WINDOW.match(str(text).replace(" ", ""))
    if not match:
        raise ValueError(f"opening hours {text!r} are not of the form HH:MM-HH:MM (such as 08:00-18:00)")
    start, end = _seconds(*match.group(1, 2), str(text)), _seconds(*match.group(3, 4), str(text))
    if end <= start:
        raise ValueError(f"opening hours {text!r} end before they start (expected the end after the start)")
    return start, end


def _day_windows(value: Any) -> tuple[tuple[int, int], ...]:
    """A weekday's opening hours: one 'HH:MM-HH:MM' or a list of them, not overlapping; [] is closed."""
    texts = [value] if isinstance(value, str) else value
    if not isinstance(texts, (list, tuple)):
        raise ValueError(f"expected opening hours such as '08:00-18:00' or a list of them, got {value!r}")
    windows = sorted(_window(t) for t in texts)
    for (s1, e1), (s2, e2) in itertools.pairwise(windows):
        if s2 < e1:
            raise ValueError(f"opening hours {_shown(s1, e1)} and {_shown(s2, e2)} overlap")
    return tuple(windows)


def _shown(start: int, end: int) -> str:
    return f"{start // 3600:02d}:{start % 3600 // 60:02d}-{end // 3600:02d}:{end % 3600 // 60:02d}"


def _days_of(key: str) -> list[int]:
    """The weekdays (0 = Monday) of a key: one day (`mon`) or a range (`mon-fri`)."""
    names = key.strip().lower().split("-")
    for name in names:
        if name not in WEEKDAYS:
            raise ValueError(f"unknown weekday {name!r} in {key!r} (expected {', '.join(WEEKDAYS)} or a range mon-fri)")
    if len(names) == 1:
        return [WEEKDAYS.index(names[0])]
    if len(names) != 2:
        raise ValueError(f"{key!r} is not a weekday or a range of them such as mon-fri")
    first, last = WEEKDAYS.index(names[0]), WEEKDAYS.index(names[1])
    if last < first:
        raise ValueError(f"the range {key!r} ends before it starts (expected such as mon-fri)")
    return list(range(first, last + 1))


DayHours = Annotated[tuple[tuple[int, int], ...], BeforeValidator(_day_windows)]


class _Hours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Holidays(_Hours):
    """The days a service is closed: `dates` listed in the contract and/or the public holidays of a
    `country` (ISO 3166 code, optionally a `subdivision`: a region or state)."""

    country: str | None = None
    subdivision: str | None = None
    dates: tuple[dt.date, ...] = ()

    @field_validator("country")
    @classmethod
    def _known_country(cls, code: str | None) -> str | None:
        if code is None:
            return None
        known = _countries()
        if code not in known:
            close = did_you_mean(code.upper(), list(known), cutoff=0.9)
            hint = f"; {close}" if close.startswith("did") else ""
            raise ValueError(f"unknown country code {code!r} (expected an ISO 3166 code such as FR{hint})")
        return code

    @model_validator(mode="after")
    def _known_subdivision(self) -> Holidays:
        if self.subdivision is None:
            return self
        if self.country is None:
            raise ValueError("a subdivision needs its country")
        known = _countries()[self.country]
        if self.subdivision not in known:
            raise ValueError(
                f"unknown subdivision {self.subdivision!r} of {self.country} "
                f"(expected one of: {', '.join(known) or 'none: the country has no subdivisions'})"
            )
        return self

    def dates_between(self, first: dt.date, last: dt.date) -> frozenset[dt.date]:
        """The holidays from `first` to `last` included: the listed dates and the country's."""
        listed = {d for d in self.dates if first <= d <= last}
        if self.country is None:
            return frozenset(listed)
        public = _public_holidays(self.country, self.subdivision, first.year, last.year)
        return frozenset(listed | {d for d in public if first <= d <= last})


@lru_cache(maxsize=1)
def _countries() -> dict[str, list[str]]:
    """The countries whose public holidays are known, with their subdivisions."""
    import holidays  # only for a contract naming a country: its import alone takes about 50 ms

    return holidays.list_supported_countries()


@lru_cache(maxsize=64)
def _public_holidays(country: str, subdivision: str | None, first_year: int, last_year: int) -> frozenset[dt.date]:
    import holidays

    calendar = holidays.country_holidays(country, subdiv=subdivision, years=range(first_year, last_year + 1))
    return frozenset(calendar)


class Opening(_Hours):
    """Opening hours by weekday (`mon`, …, `sun`, or ranges such as `mon-fri`; a day not given is
    closed) and the holidays, on which the service is closed all day."""

    hours: dict[str, DayHours]
    holidays: Holidays = Holidays()

    @field_validator("hours")
    @classmethod
    def _each_day_once(cls, hours: dict[str, tuple[tuple[int, int], ...]]) -> dict[str, tuple[tuple[int, int], ...]]:
        seen: dict[int, str] = {}
        for key in hours:
            for day in _days_of(key):
                if day in seen:
                    raise ValueError(
                        f"{WEEKDAYS[day]} is given by {seen[day]!r} and by {key!r}: their opening hours overlap "
                        "(expected each weekday once)"
                    )
                seen[day] = key
        return hours

    @property
    def by_weekday(self) -> dict[int, tuple[tuple[int, int], ...]]:
        """{weekday (0 = Monday): ((start, end) seconds since midnight, …)}; a closed day is absent."""
        return {day: windows for key, windows in self.hours.items() for day in _days_of(key) if windows}


class ServiceHours(Opening):
    """A channel's service hours, optionally different per site (`sites`: site_id → its own opening).
    The service-level KPIs (service level, abandon rate, ASA) leave out the contacts outside them;
    with `outside_hours: measure_apart` those contacts get service-level KPIs of their own
    (`service_level_outside_hours`…, formulas.md §1.10)."""

    sites: dict[str, Opening] = {}
    outside_hours: Literal["exclude", "measure_apart"] = "exclude"

    @property
    def measured_apart(self) -> bool:
        """Whether the contacts outside the hours are measured apart (else only left out)."""
        return self.outside_hours == "measure_apart"


def opening_windows(opening: Opening) -> list[tuple[int, int, int]]:
    """(weekday, start, end) of each opening window, seconds since midnight, end excluded."""
    return [(day, start, end) for day, windows in opening.by_weekday.items() for start, end in windows]
