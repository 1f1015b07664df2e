"""The exit what-if: notice given on a chosen date, against the contract's reversibility clause.

- The term ends on the contract's end (`Partner.end`); notice is **in time** when given on or before
  the last notice date (end − notice_months). A late notice cannot end the contract before the
  notice period has run: the contract then ends notice_months after the notice.
- The transition starts on the notice date and lasts transition_months; it **fits** when it ends
  on or before the contract's end.
- The readiness still missing: the reversibility checklist's items not done, each with the share
  of the readiness it would add (weight × (1 − score) / Σ weight; `reversibility.SCORES`).
- The fees committed until the end: the average monthly charges of the last 3 months of data
  (rounded half away from zero to the cent) × the months from the month after the data to the end
  (a month counts when the contract runs on its first day or later in it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from ..contract.terms import Contract
from ..core.periods import add_months, months_between
from ..governance.reversibility import SCORES, readiness
from ..views.language import _, ngettext
from ..views.wording import day, money_text, month_name, whole_percent

__all__ = ["FEE_MONTHS", "ExitPlan", "exit_plan"]

FEE_MONTHS = 3


@dataclass(frozen=True)
class ExitPlan:
    """Notice on a date: the timeline, the readiness still missing and the fees committed."""

    partner_id: str
    notice_on: dt.date
    term_end: dt.date
    last_notice_date: dt.date
    notice_months: int
    transition_months: int
    in_time: bool
    ends_on: dt.date
    transition_end: dt.date
    transition_fits: bool
    readiness: float | None
    missing: pl.DataFrame
    fee_months: tuple[dt.date, ...]
    monthly_charges: int
    months_committed: int
    fees_committed: int
    currency: str

    def sentences(self) -> list[str]:
        """The plan as a committee reads it, in the report's language, its dates and amounts as every report
        writes them (`views.wording`)."""
        dates = {
            "notice": day(self.notice_on),
            "last_notice": day(self.last_notice_date),
            "end": day(self.ends_on),
            "term_end": day(self.term_end),
        }
        if self.in_time:
            notice = _(
                "Notice on {notice} is in time (the last notice date is {last_notice}): "
                "the contract ends with its term, on {end}."
            )
        else:
            notice = ngettext(
                "Notice on {notice} is late (the last notice date was {last_notice}): "
                "with {n} month of notice the contract runs to {end}, past its term ({term_end}).",
                "Notice on {notice} is late (the last notice date was {last_notice}): "
                "with {n} months of notice the contract runs to {end}, past its term ({term_end}).",
                self.notice_months,
            )
        out = [notice.format(n=self.notice_months, **dates)]
        if self.transition_fits:
            transition = ngettext(
                "A transition of {n} month started on the notice date ends on {end}: "
                "it fits before the end of the contract.",
                "A transition of {n} months started on the notice date ends on {end}: "
                "it fits before the end of the contract.",
                self.transition_months,
            )
        else:
            transition = ngettext(
                "A transition of {n} month started on the notice date ends on {end}: "
                "it does not fit before the end of the contract.",
                "A transition of {n} months started on the notice date ends on {end}: "
                "it does not fit before the end of the contract.",
                self.transition_months,
            )
        out.append(transition.format(n=self.transition_months, end=day(self.transition_end)))
        if self.readiness is None:
            out.append(_("No reversibility checklist: the readiness is unknown."))
        else:
            ready = ngettext(
                "Readiness {readiness}: {n} item is not done ({missing} of the readiness is missing).",
                "Readiness {readiness}: {n} items are not done ({missing} of the readiness is missing).",
                self.missing.height,
            )
            out.append(
                ready.format(
                    readiness=whole_percent(self.readiness),
                    n=self.missing.height,
                    missing=whole_percent(1 - self.readiness),
                )
            )
        if self.fee_months:
            fees = ngettext(
                "Fees committed until the end: {fees} ({n} month × {monthly}, "
                "the average monthly charges of {first} to {last}).",
                "Fees committed until the end: {fees} ({n} months × {monthly}, "
                "the average monthly charges of {first} to {last}).",
                self.months_committed,
            )
            out.append(
                fees.format(
                    fees=money_text(self.fees_committed, self.currency),
                    n=self.months_committed,
                    monthly=money_text(self.monthly_charges, self.currency),
                    first=month_name(self.fee_months[0]),
                    last=month_name(self.fee_months[-1]),
                )
            )
        return out


def exit_plan(
    contract: Contract,
    partner_id: str,
    notice_on: dt.date,
    *,
    statement: pl.DataFrame,
    checklist: pl.LazyFrame | None,
) -> ExitPlan:
    """The exit plan of a partner with notice on `notice_on` (see the module docstring).

    `statement` is the net statement (partner_id, month, charges in cents; its last month is the
    data's last month); `checklist` the engagement's reversibility table (None: not given).
    """
    partner = contract.partner(partner_id)
    clause = partner.reversibility
    notice, transition = (clause.notice_months, clause.transition_months) if clause else (0, 0)
    end = partner.end
    last_notice = add_months(end, -notice)
    in_time = notice_on <= last_notice
    ends_on = end if in_time else add_months(notice_on, notice)
    transition_end = add_months(notice_on, transition)

    months = statement.filter(pl.col("partner_id") == partner_id).sort("month")
    recent = months.tail(FEE_MONTHS)
    total = int(recent["charges"].sum()) if recent.height else 0
    monthly = (2 * total + recent.height) // (2 * recent.height) if recent.height else 0  # half away from zero, ≥ 0
    if months.height:
        first_unbilled = add_months(months["month"].max(), 1)
        committed = months_between(first_unbilled, ends_on) + (1 if ends_on.day > 1 else 0)
        committed = max(committed, 0)
    else:
        committed = 0

    score, missing = None, pl.DataFrame()
    if checklist is not None:
        mine = checklist.filter(pl.col("partner_id") == partner_id)
        overall = readiness(mine).filter(pl.col("area").is_null()).collect()
        if overall.height:
            score = overall["readiness"][0]
            weights = mine.select(pl.col("weight").sum()).collect().item()
            missing = (
                mine.filter(pl.col("status") != "done")
                .with_columns(
                    (
                        pl.col("weight")
                        * (1 - pl.col("status").replace_strict(SCORES, return_dtype=pl.Float64))
                        / weights
                    ).alias("readiness_missing")
                )
                .sort("readiness_missing", "item_id", descending=[True, False])
                .collect()
            )
    return ExitPlan(
        partner_id=partner_id,
        notice_on=notice_on,
        term_end=end,
        last_notice_date=last_notice,
        notice_months=notice,
        transition_months=transition,
        in_time=in_time,
        ends_on=ends_on,
        transition_end=transition_end,
        transition_fits=transition_end <= ends_on,
        readiness=score,
        missing=missing,
        fee_months=tuple(recent["month"].to_list()),
        monthly_charges=monthly,
        months_committed=committed,
        fees_committed=monthly * committed,
        currency=contract.currency,
    )
