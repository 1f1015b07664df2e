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

    An optional column (ours not required) whose platform fields are absent is left out; a field
    a required column needs, missing, is a TableError naming the platform's field and our column.
    """
    preset = PRESETS[name]
    if preset.table != table:
        raise TableError(
            f"the {name} preset reads an export of {preset.table}, not of {table}",
            file=file,
            key=f"sources.{table}.preset",
        )
    present = set(headers)
    required = set(TABLES[table].required_columns)
    columns: dict[str, pl.Expr] = {}
    used: set[str] = set()
    for ours, derived in preset.columns.items():
        if ours in mapped or ours in present:
            continue
        missing = [field for field in derived.needs if field not in present]
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

        def field(header: str) -> pl.Expr:
            if header not in present:
                return pl.lit(None, dtype=pl.String)
            value = pl.col(headers[header]).cast(pl.String)
            return pl.when(value.str.strip_chars() != "").then(value)

        columns[ours] = derived.build(field).alias(ours)
        used |= {f for f in (*derived.needs, *derived.uses) if f in present}
    return columns, used
