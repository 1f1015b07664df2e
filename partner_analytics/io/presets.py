"""Presets for the platforms' exports: their documented field names and timestamps turned into our columns.

A preset (`sources.<table>.preset`) names a platform's export. Each of our columns it gives is an
expression of the platform's fields: a field copied, a flag read, or a duration derived from two
timestamps (docs/data-contract.md, "Presets", says exactly how, per platform, with the platform's
published field definitions). A column the user maps under `columns:` is read from that header
instead, and the preset's fields it needed are then not asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from ..core.errors import TableError
from ..core.schema import TABLES

__all__ = ["PRESETS", "Derived", "Preset", "preset_columns"]


@dataclass(frozen=True)
class Derived:
    """One of our columns from a platform's fields: `needs` must be in the header, `uses` may be."""

    needs: tuple[str, ...]
    build: Callable[[Callable[[str], pl.Expr]], pl.Expr]
    uses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Preset:
    """A platform's export of one of our tables: its name, the platform, and our columns from its fields."""

    name: str
    table: str
    platform: str
    columns: dict[str, Derived]


def _instant(field: pl.Expr) -> pl.Expr:
    """A platform's ISO 8601 timestamp (UTC, `Z`) as an instant."""
    return field.str.strip_chars().str.to_datetime(time_zone="UTC", strict=False)


def _seconds(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """end − start in seconds, as text (the validation reads it as a number), from two timestamps."""
    return ((_instant(end) - _instant(start)).dt.total_microseconds() / 1_000_000).cast(pl.String)


def _iso(field: pl.Expr) -> pl.Expr:
    """The timestamp as ISO 8601 with its offset; text that is no timestamp is kept, for the
    validation to reject its row quoting it."""
    return pl.coalesce(_instant(field).dt.to_string("%Y-%m-%dT%H:%M:%S%.f%:z"), field)


def _copied(field: str) -> Derived:
    return Derived((field,), lambda f: f(field))


_CONNECT_QUEUED = "Queue.EnqueueTimestamp"
_CONNECT_AGENT = "Agent.ConnectedToAgentTimestamp"
_CONNECT_DEQUEUED = "Queue.DequeueTimestamp"
_CONNECT_END = "DisconnectTimestamp"
_CONNECT_ACW_END = "Agent.AfterContactWorkEndTimestamp"


def _connect_wait(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """Queue entry to the agent's connection; unanswered: to leaving the queue (else the disconnection)."""
    left = pl.when(f(_CONNECT_AGENT).is_not_null()).then(f(_CONNECT_AGENT))
    return _seconds(f(_CONNECT_QUEUED), left.otherwise(pl.coalesce(f(_CONNECT_DEQUEUED), f(_CONNECT_END))))


def _connect_handle(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """The agent's connection to the end of after-contact work (else the disconnection): talk, hold, ACW."""
    return _seconds(f(_CONNECT_AGENT), pl.coalesce(f(_CONNECT_ACW_END), f(_CONNECT_END)))


def _cms_start(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """ROW_DATE (YYYY-MM-DD) and STARTTIME (hhmm, 930 for 09:30) as a local datetime."""
    hhmm = f("STARTTIME").str.strip_chars().str.zfill(4)
    return pl.concat_str(
        [f("ROW_DATE").str.strip_chars(), pl.lit(" "), hhmm.str.slice(0, 2), pl.lit(":"), hhmm.str.slice(2, 2)]
    )


def _cms_handle(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """ACDTIME (talk, hold excluded) + HOLDACDTIME (when exported) + ACWTIME, in seconds."""

    def seconds(field: str) -> pl.Expr:
        return f(field).str.strip_chars().cast(pl.Float64, strict=False)

    return (seconds("ACDTIME") + seconds("HOLDACDTIME").fill_null(0) + seconds("ACWTIME")).cast(pl.String)


def _milliseconds(field: str) -> Callable[[Callable[[str], pl.Expr]], pl.Expr]:
    """A Genesys Cloud duration metric (milliseconds) in seconds, as text."""

    def build(f: Callable[[str], pl.Expr]) -> pl.Expr:
        return (f(field).str.strip_chars().cast(pl.Float64, strict=False) / 1000).cast(pl.String)

    return build


def _genesys_wait(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """tAnswered when answered, else tAbandon (milliseconds in queue before answer or abandon)."""
    answered = f("tAnswered").is_not_null()
    waited = pl.when(answered).then(f("tAnswered")).otherwise(f("tAbandon"))
    return (waited.str.strip_chars().cast(pl.Float64, strict=False) / 1000).cast(pl.String)


def _flag(condition: pl.Expr) -> pl.Expr:
    """A condition as our boolean text (`true`/`false`); unknown stays null."""
    return pl.when(condition).then(pl.lit("true")).when(condition.not_()).then(pl.lit("false"))


def _duration(field: pl.Expr) -> pl.Expr:
    """A duration as seconds: `hh:mm:ss` (Five9, NICE CXone reports) or a number of seconds; other
    text is kept, for the validation to reject its row quoting it."""
    text = field.str.strip_chars()
    parts = text.str.extract_groups(r"^(\d+):([0-5]\d):([0-5]\d)$")
    clock = (
        parts.struct.field("1").cast(pl.Int64) * 3600
        + parts.struct.field("2").cast(pl.Int64) * 60
        + parts.struct.field("3").cast(pl.Int64)
    )
    return pl.coalesce(clock.cast(pl.String), text)


def _seconds_sum(*fields: pl.Expr) -> pl.Expr:
    """The sum of durations (`hh:mm:ss` or seconds) as text; null when one is unreadable."""
    total = pl.sum_horizontal([_duration(f).cast(pl.Float64, strict=False) for f in fields], ignore_nulls=False)
    return total.cast(pl.String)


def _local_start(date: pl.Expr, time: pl.Expr) -> pl.Expr:
    """A report's date and time columns as one local datetime text (`2026/09/01` read as `2026-09-01`);
    another date layout is read with the source's `datetime_format`."""
    day = date.str.strip_chars()
    iso = day.str.replace(r"^(\d{4})/(\d{2})/(\d{2})$", "$1-$2-$3")
    return pl.concat_str([iso, pl.lit(" "), time.str.strip_chars()])


def _is_yes(field: pl.Expr) -> pl.Expr:
    """A platform's flag (`Y`/`N`, `1`/`0`, `true`/`false`, `yes`/`no`) as a condition."""
    text = field.str.strip_chars().str.to_lowercase()
    return (
        pl.when(text.is_in(["y", "yes", "1", "true"]))
        .then(True)
        .when(text.is_in(["n", "no", "0", "false"]))
        .then(False)
    )


def _connect_transferred(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """Answered and transferred by the agent: `TransferCompletedTimestamp` or `TransferredToEndpoint.Address` given."""
    transferred = f("TransferCompletedTimestamp").is_not_null() | f("TransferredToEndpoint.Address").is_not_null()
    return pl.when(f(_CONNECT_AGENT).is_not_null()).then(_flag(transferred))


def _genesys_transferred(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """`nTransferred` (the number of times the conversation was transferred) above 0."""
    count = f("nTransferred").str.strip_chars().cast(pl.Float64, strict=False)
    return _flag(count.fill_null(0) > 0)


def _not_flag(field: pl.Expr) -> pl.Expr:
    """The opposite of a platform's flag as our boolean text; a value that is no flag is kept, for the
    validation to reject its row quoting it."""
    return pl.coalesce(_flag(_is_yes(field).not_()), field)


def _nice_answered(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """`Abandon` N (Y: the contact abandoned before reaching an agent)."""
    return _not_flag(f("Abandon"))


def _nice_handle(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """Answered: `Agent_Time` (with the agent, hold included) + `ACW_Seconds` (after-contact work)."""
    return pl.when(_is_yes(f("Abandon")).not_()).then(_seconds_sum(f("Agent_Time"), f("ACW_Seconds")))


def _nice_transferred(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """The contact created another: a row names it as its `Master_Contact_ID` (the parent of a transfer)."""
    contact, master = f("Contact_ID").str.strip_chars(), f("Master_Contact_ID").str.strip_chars()
    parents = master.filter(master != contact).implode()
    return pl.when(_is_yes(f("Abandon")).not_()).then(_flag(contact.is_in(parents)))


def _nice_channel(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """`Media_Name` in lower case, `Call` (NICE CXone's voice media) read as `voice`."""
    media = f("Media_Name").str.strip_chars().str.to_lowercase()
    return pl.when(media == "call").then(pl.lit("voice")).otherwise(media)


def _five9_abandoned(f: Callable[[str], pl.Expr]) -> pl.Expr:
    return _is_yes(f("ABANDONED"))


def _five9_arrival(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """`DATE` and `TIME` of a call that reached a skill's queue (`SKILL` given); a call that never
    did (ended in the IVR) has none and is rejected, never offered to the partner."""
    return pl.when(f("SKILL").is_not_null()).then(_local_start(f("DATE"), f("TIME")))


def _five9_handle(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """Answered: `HANDLE TIME` (talk, hold, park and after-call work)."""
    return pl.when(_five9_abandoned(f).not_()).then(_duration(f("HANDLE TIME")))


def _five9_transferred(f: Callable[[str], pl.Expr]) -> pl.Expr:
    """Answered and `TRANSFERS` (the number of transfers) above 0."""
    count = _duration(f("TRANSFERS")).cast(pl.Float64, strict=False)
    return pl.when(_five9_abandoned(f).not_()).then(_flag(count.fill_null(0) > 0))


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "amazon_connect",
            "contacts",
            "Amazon Connect contact records",
            {
                "contact_id": _copied("ContactId"),
                "partner_id": _copied("Attributes.partner_id"),
                "channel": Derived(("Channel",), lambda f: f("Channel").str.strip_chars().str.to_lowercase()),
                "arrived_at": Derived((_CONNECT_QUEUED,), lambda f: _iso(f(_CONNECT_QUEUED))),
                "answered": Derived(
                    (_CONNECT_AGENT,),
                    lambda f: pl.when(f(_CONNECT_AGENT).is_not_null()).then(pl.lit("true")).otherwise(pl.lit("false")),
                ),
                "wait_s": Derived((_CONNECT_QUEUED, _CONNECT_AGENT, _CONNECT_END), _connect_wait, (_CONNECT_DEQUEUED,)),
                "handle_s": Derived((_CONNECT_AGENT, _CONNECT_END), _connect_handle, (_CONNECT_ACW_END,)),
                "queue": _copied("Queue.Name"),
                "customer_id": _copied("CustomerEndpoint.Address"),
                "transferred": Derived(
                    ("TransferCompletedTimestamp",), _connect_transferred, ("TransferredToEndpoint.Address",)
                ),
            },
        ),
        Preset(
            "genesys_cloud",
            "contacts",
            "Genesys Cloud conversation details",
            {
                "contact_id": _copied("conversationId"),
                "partner_id": _copied("partner_id"),
                "channel": Derived(("mediaType",), lambda f: f("mediaType").str.strip_chars().str.to_lowercase()),
                "arrived_at": Derived(("conversationStart",), lambda f: _iso(f("conversationStart"))),
                "answered": Derived(
                    ("tAnswered",),
                    lambda f: pl.when(f("tAnswered").is_not_null()).then(pl.lit("true")).otherwise(pl.lit("false")),
                ),
                "wait_s": Derived(("tAnswered", "tAbandon"), _genesys_wait),
                "handle_s": Derived(("tHandle",), _milliseconds("tHandle")),
                "queue": _copied("queueName"),
                "customer_id": _copied("ani"),
                "transferred": Derived(("nTransferred",), _genesys_transferred),
            },
        ),
        Preset(
            "nice_cxone",
            "contacts",
            "NICE CXone Call Detail data download report",
            {
                "contact_id": _copied("Contact_ID"),
                "partner_id": _copied("partner_id"),
                "channel": Derived(("Media_Name",), _nice_channel),
                "arrived_at": Derived(
                    ("Start_Date", "Start_Time"), lambda f: _local_start(f("Start_Date"), f("Start_Time"))
                ),
                "answered": Derived(("Abandon",), _nice_answered),
                "wait_s": Derived(("InQueue",), lambda f: _duration(f("InQueue"))),
                "handle_s": Derived(("Abandon", "Agent_Time", "ACW_Seconds"), _nice_handle),
                "queue": _copied("Skill_Name"),
                "customer_id": _copied("ANI_Dialnum"),
                "transferred": Derived(("Abandon", "Contact_ID", "Master_Contact_ID"), _nice_transferred),
            },
        ),
        Preset(
            "five9",
            "contacts",
            "Five9 Call Log report",
            {
                "contact_id": _copied("CALL ID"),
                "partner_id": _copied("partner_id"),
                "channel": Derived((), lambda f: pl.lit("voice")),
                "arrived_at": Derived(("DATE", "TIME", "SKILL"), _five9_arrival),
                "answered": Derived(("ABANDONED",), lambda f: _not_flag(f("ABANDONED"))),
                "wait_s": Derived(("QUEUE WAIT TIME",), lambda f: _duration(f("QUEUE WAIT TIME"))),
                "handle_s": Derived(("ABANDONED", "HANDLE TIME"), _five9_handle),
                "queue": _copied("SKILL"),
                "customer_id": _copied("ANI"),
                "transferred": Derived(("ABANDONED", "TRANSFERS"), _five9_transferred),
            },
        ),
        Preset(
            "avaya_cms",
            "intervals",
            "Avaya CMS split/skill interval report (hsplit)",
            {
                "channel": Derived((), lambda f: pl.lit("voice")),
                "interval_start": Derived(("ROW_DATE", "STARTTIME"), _cms_start),
                "interval_minutes": _copied("INTRVL"),
                "offered": _copied("CALLSOFFERED"),
                "answered": _copied("ACDCALLS"),
                "answered_within_threshold": _copied("ACCEPTABLE"),
                "abandoned": _copied("ABNCALLS"),
                "abandoned_within_threshold": _copied("SLVLABNS"),
                "answered_wait_s": _copied("ANSTIME"),
                "handle_s": Derived(("ACDTIME", "ACWTIME"), _cms_handle, ("HOLDACDTIME",)),
                "queue": _copied("SPLIT"),
            },
        ),
    )
}
"""Every preset by name (`sources.<table>.preset`)."""


def preset_columns(
    name: str, table: str, headers: dict[str, str], mapped: set[str], file: str
) -> tuple[dict[str, pl.Expr], set[str]]:
    """Our columns of `table` from the export under the preset `name`, as expressions of the frame's
    columns (`headers`: the file's header -> its frame column), and the platform's fields they read.

    Left out: the `mapped` columns (`columns:` maps them to a header of their own) and those the
    file already has under our name (read as they are).

    A platform's field is found by its name, else ignoring case and surrounding spaces (reports
    differ in case from one version to the next). An optional column (ours not required) whose
    platform fields are absent is left out; a field a required column needs, missing, is a
    TableError naming the platform's field and our column.
    """
    preset = PRESETS[name]
    if preset.table != table:
        raise TableError(
            f"the {name} preset reads an export of {preset.table}, not of {table}",
            file=file,
            key=f"sources.{table}.preset",
        )
    present = set(headers)
    loose: dict[str, list[str]] = {}
    for header in headers:
        loose.setdefault(header.strip().lower(), []).append(header)

    def header_of(platform_field: str) -> str | None:
        """The file's header of a platform's field: exactly, else ignoring case and surrounding spaces."""
        if platform_field in present:
            return platform_field
        found = loose.get(platform_field.strip().lower(), [])
        return found[0] if len(found) == 1 else None

    required = set(TABLES[table].required_columns)
    columns: dict[str, pl.Expr] = {}
    used: set[str] = set()
    for ours, derived in preset.columns.items():
        if ours in mapped or ours in present:
            continue
        missing = [needed for needed in derived.needs if header_of(needed) is None]
        if missing and ours not in required:
            continue
        if missing:
            raise TableError(
                f"the {name} preset needs the field {missing[0]!r} of the {preset.platform} for our column "
                f"{ours}, and the header has no {missing[0]!r} (export it, or map another header to {ours} "
                f"under sources.{table}.columns)",
                file=file,
                key=ours,
            )

        def field(platform_field: str) -> pl.Expr:
            header = header_of(platform_field)
            if header is None:
                return pl.lit(None, dtype=pl.String)
            value = pl.col(headers[header]).cast(pl.String)
            return pl.when(value.str.strip_chars() != "").then(value)

        columns[ours] = derived.build(field).alias(ours)
        used |= {header for f in (*derived.needs, *derived.uses) if (header := header_of(f)) is not None}
    return columns, used
