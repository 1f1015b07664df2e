"""The statement of a report's period as the committee's record held it on the committee's date: each
month's figures (the signed ones once locked, the prior-period adjustments), and the state of each
figure: draft, signed by a party (who, when), locked, disputed (age), restated (formulas.md §10.5, §10.6).

The words a report shows here are the labels below, in one place.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ..core.paths import engagement_path
from ..core.periods import Period
from ..io.engagement import load
from ..io.lineage import lineage
from ..record.ledger import ledger_path
from ..record.states import committee_record
from ..views.html_tables import HTML, money, service_level, table
from ..views.language import N_, Translated, _
from ..views.wording import STATEMENT_LABELS, date_name, day, month_name, number, period_name

__all__ = [
    "RECORD_LABELS",
    "RecordSource",
    "StatementRecord",
    "month_states",
    "open_record",
    "record_html",
    "statement_lines",
    "statement_record",
]

# The lines of a month's statement as a report lists them (`record.disputes.LINES`), then what the record adds
# (formulas.md §10).
RECORD_LABELS = Translated(
    {
        "charges": N_("Charges"),
        "credits": N_("Credits"),
        "earned_back": N_("Earned back"),
        "bonus": N_("Bonus"),
        "corridor_compensation": N_("Corridor"),
        "gain_share": N_("Gain-share"),
        "resource_adjustment": N_("Resource adjustment"),
        "prior_period_adjustment": N_("Prior-period adjustment"),
        "net": N_("Net"),
        "payable": N_("Payable now"),
        "in_dispute": N_("In dispute"),
    }
)
_PARTIES = Translated({"client": N_("the client"), "provider": N_("the provider")})
_OUTCOME_MESSAGES = {"accepted": N_("accepted"), "rejected": N_("rejected"), "amended": N_("amended")}
_OUTCOMES = Translated(_OUTCOME_MESSAGES)
_DISPUTE_STATUSES = Translated({"open": N_("unanswered"), **_OUTCOME_MESSAGES})  # a dispute's status column
_WORDS = Translated(
    {
        "draft": N_("draft: signed by neither party"),
        "signed": N_("signed by {who}"),
        "locked": N_("locked: signed by both ({who})"),
        "disputed": N_("disputed by {party} for {days} days: {reason}"),
        "settled": N_("disputed by {party}, {outcome} by {answered_by} ({answered_on})"),
        "restated": N_("restated: signed {original}, now {restated}, adjustment {difference} in {adjusted_in}"),
        "waiting": N_("no open month yet"),
        "carried": N_("restated figures of {months}"),
        "payable": N_("owed whatever the open disputes' answers"),
        "in_dispute": N_("how far the open disputes can move the net"),
    }
)
_COLUMNS = Translated(
    {
        "line": N_("Line"),
        "amount": N_("Amount"),
        "state": N_("State"),
        "partner": N_("Partner"),
        "month": N_("Month"),
        "net": N_("Net"),
        "prior_period_adjustment": N_("Prior-period adjustment"),
        "payable": N_("Payable now"),
        "in_dispute": N_("In dispute"),
        "dispute": N_("Dispute"),
        "claimed": N_("Claimed"),
        "status": N_("Status"),
        "age_days": N_("Age (days)"),
        "reason": N_("Reason"),
        "original": N_("Signed"),
        "restated": N_("Restated"),
        "net_effect": N_("Adjustment to the net"),
        "adjusted_in": N_("Adjusted in"),
    }
)
_CAPTIONS = Translated(
    {
        "heading": N_("The statement in the committee's record"),
        "lines": N_("The statement of {period} as the record held it on {as_of}, and the state of each figure"),
        "months": N_("The statement's months as the record held them on {as_of}: state, who signed, disputes"),
        "disputes": N_("Disputes of the period's statements on {as_of}"),
        "restatements": N_("Locked figures the data now moves: kept as signed, the difference carried forward"),
        "no_disputes": N_("No dispute of the period's statements."),
        "no_restatements": N_("No locked figure was restated."),
    }
)
# a signature as the record writes it: `client (Inès Haddad, 2026-10-05)`
_SIGNATURE = re.compile(r"\b(client|provider) \((.*?), (\d{4}-\d{2}-\d{2})\)")
_EMPTY_LINEAGE: dict[str, Any] = {"contract": {"file": "", "sha256": ""}, "inputs": []}


@dataclass(frozen=True)
class RecordSource:
    """Where a report reads the committee's record: the ledger file (none: every month a draft) and the
    lineage of the inputs the statement was computed from (for the reason of a restatement)."""

    ledger: Path | None = None
    lineage: dict[str, Any] | None = None


@dataclass(frozen=True)
class StatementRecord:
    """The record of a report's period, as its committee saw it (`as_of`, its date); DataFrames in cents."""

    period: Period
    as_of: dt.date
    currency: str
    months: pl.DataFrame  # per partner × month of the period: the recorded amounts, state, signed, payable…
    history: pl.DataFrame  # the same for every month of the statement (the first page's previous period)
    disputes: pl.DataFrame  # the disputes of the period's months, their state and age on `as_of`
    restatements: pl.DataFrame  # lines of locked months restated, of the period or carried into it


def open_record(engagement: str | Path = "", tables: str | Path = "") -> RecordSource:
    """The record of the engagement folder: its ledger, and the lineage of the cycle's tables when `tables`
    names their folder (written with them), else of the engagement's inputs now."""
    folder = engagement_path(engagement)
    ledger = ledger_path(folder)
    if not ledger.is_file():
        return RecordSource()
    written = Path(tables) / "lineage.json" if str(tables) else None
    if written is not None and written.is_file():
        return RecordSource(ledger, json.loads(written.read_text(encoding="utf-8")))
    return RecordSource(ledger, lineage(load(folder)))


def statement_record(
    statement: pl.DataFrame, period: Period, as_of: dt.date, source: RecordSource, currency: str
) -> StatementRecord:
    """The record's statement of `period` as of its committee's date: `committee_record` on the statement
    computed now (one partner's rows for a partner's report), restricted to the period."""
    record = committee_record(source.ledger, statement, source.lineage or _EMPTY_LINEAGE, as_of, as_of=as_of)
    partners = statement["partner_id"].unique().to_list()
    record = record if len(partners) != 1 else record.partner(partners[0])
    within = pl.col("month").is_between(period.start, period.last_day)
    carried = pl.col("adjusted_in").is_between(period.start, period.last_day)
    return StatementRecord(
        period=period,
        as_of=as_of,
        currency=currency,
        months=record.statement.filter(within),
        history=record.statement,
        disputes=record.disputes.filter(within).sort(pl.col("status") != "open", "dispute"),
        restatements=record.restatements.filter(within | carried),
    )


def _signed_by(signed: str) -> str:
    """Who signed, in the report's language: `the client (Inès Haddad, 5 Oct 2026); the provider (…)`."""
    named = _SIGNATURE.sub(lambda m: f"{_PARTIES[m[1]]} ({m[2]}, {day(dt.date.fromisoformat(m[3]))})", signed)
    return named.replace("; ", _("; "))


def _month_state(row: dict[str, Any]) -> str:
    if row["state"] == "draft":
        return _WORDS["draft"]
    return _WORDS[row["state"]].format(who=_signed_by(row["signed"]))


def statement_lines(record: StatementRecord, partner_id: str, month: dt.date) -> pl.DataFrame:
    """One partner's month, line by line as the report shows it (`line`, `label`, `amount`, `state`): the
    statement's lines, the prior-period adjustment, the net, the payable part and the amount in dispute;
    each line's state is the month's (draft, signed, locked), or its open dispute, or its restatement."""
    rows = record.months.filter((pl.col("partner_id") == partner_id) & (pl.col("month") == month))
    if rows.is_empty():
        return pl.DataFrame(schema={"line": pl.String, "label": pl.String, "amount": pl.Int64, "state": pl.String})
    row = rows.row(0, named=True)
    base = _month_state(row)
    mine = pl.col("partner_id") == partner_id
    opened = record.disputes.filter(mine & (pl.col("month") == month))
    restated = record.restatements.filter(mine & (pl.col("month") == month))
    carried = record.restatements.filter(mine & (pl.col("adjusted_in") == month))
    cents = money(record.currency)
    out = []
    for line, label in RECORD_LABELS.items():
        states = [base]
        for d in opened.filter(
            (pl.col("line") == line) | (pl.col("line").str.starts_with("credit:") & (line == "credits"))
        ).iter_rows(named=True):
            states.append(_dispute_state(d))
        for r in restated.filter(pl.col("line") == line).iter_rows(named=True):
            states.append(_restated_state(r, cents))
        if line == "prior_period_adjustment" and not carried.is_empty():
            states = [
                _WORDS["carried"].format(months=", ".join(month_name(m) for m in carried["month"].unique().sort()))
            ]
        if line in ("payable", "in_dispute"):
            states = [_WORDS[line]]
        out.append({"line": line, "label": label, "amount": int(row[line]), "state": _("; ").join(states)})
    return pl.DataFrame(out, schema={"line": pl.String, "label": pl.String, "amount": pl.Int64, "state": pl.String})


def _dispute_state(d: dict[str, Any]) -> str:
    party = _PARTIES[d["party"]]
    if d["status"] == "open":
        what = d["line"] if not d["line"].startswith("credit:") else service_level(d["line"].removeprefix("credit:"))
        what = RECORD_LABELS[what] if what in RECORD_LABELS else what
        return _WORDS["disputed"].format(party=party, days=number(d["age_days"]), reason=f"{what}, {d['reason']}")
    answered_on = day(d["resolved_at"].date())
    outcome = _OUTCOMES[d["status"]] if d["status"] in _OUTCOMES else d["status"]
    return _WORDS["settled"].format(outcome=outcome, party=party, answered_by=d["resolved_by"], answered_on=answered_on)


def _restated_state(r: dict[str, Any], cents: Any) -> str:
    adjusted_in = month_name(r["adjusted_in"]) if r["adjusted_in"] else _WORDS["waiting"]
    return _WORDS["restated"].format(
        original=cents(r["original"]),
        restated=cents(r["restated"]),
        difference=cents(r["net_effect"]),
        adjusted_in=adjusted_in,
    )


def month_states(record: StatementRecord, names: dict[str, str] | None = None) -> pl.DataFrame:
    """Per partner × month of the period: the recorded net, prior-period adjustment, payable part, amount in
    dispute and the month's state in words (with its open disputes and restated lines)."""
    rows = []
    cents = money(record.currency)
    for row in record.months.iter_rows(named=True):
        states = [_month_state(row)]
        mine = (pl.col("partner_id") == row["partner_id"]) & (pl.col("month") == row["month"])
        states += [_dispute_state(d) for d in record.disputes.filter(mine).iter_rows(named=True)]
        states += [
            f"{_line_label(r['line'])} {_restated_state(r, cents)}"
            for r in record.restatements.filter(mine).iter_rows(named=True)
        ]
        rows.append(
            {
                "partner_id": row["partner_id"],
                "partner": (names or {}).get(row["partner_id"], row["partner_id"]),
                "month": row["month"],
                "net": row["net"],
                "prior_period_adjustment": row["prior_period_adjustment"],
                "payable": row["payable"],
                "in_dispute": row["in_dispute"],
                "state": _("; ").join(states),
            }
        )
    schema = {
        "partner_id": pl.String,
        "partner": pl.String,
        "month": pl.Date,
        "net": pl.Int64,
        "prior_period_adjustment": pl.Int64,
        "payable": pl.Int64,
        "in_dispute": pl.Int64,
        "state": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def record_html(record: StatementRecord, *, names: dict[str, str] | None = None, lines_of: str = "") -> HTML:
    """The record's section of a report: with `lines_of` (a partner id, for a month's report) the month's
    statement line by line with each figure's state; else each month's state (partners named by `names`);
    then the disputes and the restatements of the period."""
    cents = money(record.currency)
    as_of = date_name(record.as_of)
    amounts = {c: cents for c in ("amount", "net", "prior_period_adjustment", "payable", "in_dispute", "claimed")}
    if lines_of:
        first = table(
            statement_lines(record, lines_of, record.period.start),
            {"label": _COLUMNS["line"], "amount": _COLUMNS["amount"], "state": _COLUMNS["state"]},
            formats={"amount": cents},
            caption=_CAPTIONS["lines"].format(period=period_name(record.period), as_of=as_of),
        )
    else:
        columns = ["month", "net", "prior_period_adjustment", "payable", "in_dispute", "state"]
        columns = (["partner"] if names else []) + columns
        first = table(
            month_states(record, names),
            {c: _COLUMNS[c] for c in columns},
            formats=amounts,
            caption=_CAPTIONS["months"].format(as_of=as_of),
        )
    named = pl.col("partner_id").replace_strict(names or {}, default=pl.col("partner_id")).alias("partner")
    partner = ["partner"] if names else []
    # the words are looked up here, in the report's language, not in polars' threads (which would read English)
    lines = {line: _line_label(line) for line in record.disputes["line"].unique()}
    statuses = dict(_DISPUTE_STATUSES)
    disputes = table(
        record.disputes.with_columns(
            named,
            pl.col("line").replace_strict(lines, return_dtype=pl.String),
            pl.col("status").replace_strict(statuses, default=pl.col("status"), return_dtype=pl.String),
        ),
        {
            c: _COLUMNS[c]
            for c in ("dispute", *partner, "month", "line", "amount", "claimed", "status", "age_days", "reason")
        },
        formats=amounts,
        caption=_CAPTIONS["disputes"].format(as_of=as_of),
        empty=_CAPTIONS["no_disputes"],
    )
    restated = table(
        record.restatements.with_columns(
            named,
            pl.col("line").replace_strict(dict(RECORD_LABELS), default=pl.col("line")),
            pl.col("reason").replace_strict(
                {r: _reason_text(r) for r in record.restatements["reason"].unique()}, return_dtype=pl.String
            ),
        ),
        {
            c: _COLUMNS[c]
            for c in (*partner, "month", "line", "original", "restated", "net_effect", "adjusted_in", "reason")
        },
        formats={"original": cents, "restated": cents, "net_effect": cents},
        caption=_CAPTIONS["restatements"],
        empty=_CAPTIONS["no_restatements"],
    )
    heading = f"<h2>{html.escape(_CAPTIONS['heading'])}</h2>"
    return HTML("\n".join([heading, *(part.markup for part in (first, disputes, restated))]))


_FILE_STATES = Translated(
    {"new": N_("{file} (new)"), "removed": N_("{file} (removed)"), "changed": N_("{file} (changed)")}
)
_RECOMPUTED = N_("the inputs signed, computed again: the computation changed")


def _reason_text(reason: str) -> str:
    """A restatement's reason, as `record.restatement_reason` writes it (in English), in the report's language."""
    moved = "inputs differ from those signed: "
    if not reason.startswith(moved):
        return _(reason) if reason == _RECOMPUTED else reason
    files = []
    for part in reason.removeprefix(moved).split(", "):
        named = re.fullmatch(r"(.+) \((new|removed|changed)\)", part)
        files.append(_FILE_STATES[named[2]].format(file=named[1]) if named else part)
    return _("inputs differ from those signed: {files}").format(files=", ".join(files))


def _line_label(line: str) -> str:
    if line.startswith("credit:"):
        return f"{STATEMENT_LABELS['credits']} · {service_level(line.removeprefix('credit:'))}"
    return RECORD_LABELS[line] if line in RECORD_LABELS else line
