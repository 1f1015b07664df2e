"""The what-if app's widgets, made from the controls' tables (`whatif.controls`), and the debouncer that
computes a dragged slider once.

A control's widget shows its unit, one unit per kind of value: a share, a change and a service
level's rate (a target of 0.8) as a slider in percent (12 shows 12 %, means 0.12), months as an
integer slider, on/off as a checkbox, a date as a day-first text field (`DateField`), seconds and scores
as themselves.
`widget_value` reads a widget back in the scenario's units, on the slider's step (a browser echoes
0.19999999999999996 for 0.2), and `shown_value` is the reverse.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import ipywidgets as w
import traitlets

from ..views.language import in_language
from ..views.wording import day, month_name
from .controls import Control

__all__ = [
    "DATE_INPUT_FORMAT",
    "DESCRIPTION_WIDTH",
    "DateField",
    "Debouncer",
    "control_widget",
    "in_percent",
    "on_step",
    "parse_day_first",
    "shown_value",
    "widget_value",
]

DESCRIPTION_WIDTH = "210px"
_PERCENT = ("share", "change")


class Debouncer:
    """Call `callback` once the calls have paused for `delay_s` (0: at once, synchronously).

    Each call cancels the pending one, so a dragged slider queues nothing: only the last value is
    computed. It schedules on the running asyncio loop (the kernel's); without one it calls at once.
    """

    def __init__(self, callback: Callable[[], None], delay_s: float):
        self.callback = callback
        self.delay_s = delay_s
        self._pending: asyncio.TimerHandle | None = None

    def __call__(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self.delay_s <= 0:
            self.callback()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            try:
                loop = asyncio.get_event_loop_policy().get_event_loop()
            except RuntimeError:
                loop = None
            if loop is None or not loop.is_running():
                self.callback()
                return
        self._pending = loop.call_later(self.delay_s, self._fire)

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def _fire(self) -> None:
        self._pending = None
        self.callback()


DATE_INPUT_FORMAT = "%d/%m/%Y"
"""How a date is typed and shown in the app: day first (01/02/2027 is 1 Feb 2027)."""

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_day_first(text: str) -> dt.date | None:
    """The date of `text` written day first (`01/02/2027`, `1.2.2027`, `1-2-2027`) or in ISO (`2027-02-01`);
    None when blank. A ValueError says what was expected, or why the day does not exist."""
    text = text.strip()
    if not text:
        return None
    if m := _DAY_FIRST.match(text):
        day_of_month, month, year = (int(g) for g in m.groups())
    elif m := _ISO.match(text):
        year, month, day_of_month = (int(g) for g in m.groups())
    else:
        example = dt.date(2027, 2, 1)
        raise ValueError(
            f"{text!r} is not a date: expected day/month/year, e.g. {example:{DATE_INPUT_FORMAT}} for {day(example)}"
        )
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} is not a date: month {month} does not exist (expected 01 to 12)")
    try:
        return dt.date(year, month, day_of_month)
    except ValueError:
        first = dt.date(year, month, 1)
        last = ((first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)).day
        raise ValueError(f"{text!r} is not a date: {month_name(first)} has {last} days") from None


class DateField(w.HBox):
    """A date typed day first (`DATE_INPUT_FORMAT`), with the date it reads in words beside it, as the reports
    write a date in `language` (`views.wording.day`), or why it is not a date (in English, as the app's controls).
    `value` is the date (None: none). A browser's date picker shows the browser's own language's order
    (mm/dd/yyyy in an American browser, whatever the meeting's), so the app asks for one order and says back
    which day it understood."""

    value = traitlets.Any(None)

    def __init__(
        self, value: dt.date | None = None, *, description: str = "", style: dict | None = None, language: str = "en"
    ):
        self.language = language
        self.text = w.Text(
            placeholder="dd/mm/yyyy",
            description=description,
            continuous_update=False,
            style=style or {},
            layout=w.Layout(width="340px"),
        )
        self.echo = w.HTML()
        self.echo.add_class("pa-date-echo")
        self._typing = False
        super().__init__([self.text, self.echo])
        self.add_class("pa-date")
        self.text.observe(self._typed, names="value")
        self.observe(self._shown, names="value")
        self.value = value
        self._shown(None)

    def clear(self) -> None:
        """No date, and no text left from a date that was not one."""
        self.value = None
        self.text.value, self.echo.value = "", ""

    def _typed(self, _: Any) -> None:
        try:
            typed = parse_day_first(self.text.value)
        except ValueError as e:
            self._typing = True  # the text stays, to be fixed
            try:
                self.value = None
            finally:
                self._typing = False
            self.echo.value = f"<span class='pa-error'>{html.escape(str(e))}</span>"
            return
        self.value = typed
        self._shown(None)

    def _shown(self, _: Any) -> None:
        """The text and the words for `value` (a value set by the app: a reset, a scenario read)."""
        if self.value is None:
            if not self._typing:
                self.text.value, self.echo.value = "", ""
            return
        self.text.value = f"{self.value:{DATE_INPUT_FORMAT}}"
        with in_language(self.language):
            self.echo.value = html.escape(day(self.value))


def on_step(value: float, step: float) -> float:
    """A slider's value on its step's grid (what the user meant), with the step's decimals."""
    decimals = max(0, -Decimal(str(step)).normalize().as_tuple().exponent)
    return round(round(value / step) * step, decimals)


def in_percent(control: Control, kpi_unit: str | None = None) -> bool:
    """Whether the control's widget shows percent: shares, changes and a rate KPI's target, minimum, stretch."""
    return control.unit in _PERCENT or (control.unit == "kpi" and (kpi_unit or "rate") == "rate")


def shown_value(control: Control, value: Any, kpi_unit: str | None = None) -> Any:
    """A value in the scenario's units as the control's widget shows it (percent for shares, changes, rates)."""
    if in_percent(control, kpi_unit):
        return round(float(value) * 100, 6)
    if control.unit == "kpi":
        return float(value)
    return value


def widget_value(control: Control, widget: w.ValueWidget, kpi_unit: str | None = None) -> Any:
    """The widget's value in the scenario's units, on the slider's step (percent back to a fraction)."""
    if isinstance(widget, w.FloatSlider):
        value = on_step(widget.value, widget.step)
        return round(value / 100, 6) if in_percent(control, kpi_unit) else value
    return widget.value


_READOUT = {"change": "+.0f", "share": ".1f", "seconds": ".0f", "score_1_5": ".2f", "score_0_100": ".1f"}


def control_widget(
    control: Control, value: Any, *, kpi_unit: str | None = None, prefix: str = "", language: str = "en"
) -> w.ValueWidget:
    """The widget of a control, at `value` (scenario units); `prefix` names what it belongs to (a channel);
    a date is said back in `language`."""
    label = f"{prefix} {control.label}" if prefix else control.label[:1].upper() + control.label[1:]
    style = {"description_width": DESCRIPTION_WIDTH}
    if control.unit == "on/off":
        return w.Checkbox(value=bool(value), description=label)
    if control.unit == "date":
        return DateField(value, description=label, style=style, language=language)
    lo, hi, step = control.range_for(kpi_unit)
    if control.unit == "months":
        label += " (months)"
        return w.IntSlider(
            value=value,
            min=int(lo),
            max=int(hi),
            step=int(step),
            description=label,
            continuous_update=False,
            style=style,
        )
    percent = in_percent(control, kpi_unit)
    if control.unit == "kpi" and percent:
        lo, hi, step = lo * 100, hi * 100, round(step * 100, 6)
    shown = min(max(shown_value(control, value, kpi_unit), lo), hi)
    if percent:
        label += " (%)"
    elif kpi_unit == "seconds":
        label += " (s)"
    unit = control.unit if control.unit != "kpi" else ("share" if percent else kpi_unit or "share")
    return w.FloatSlider(
        value=shown,
        min=lo,
        max=hi,
        step=step,
        description=label,
        continuous_update=False,
        readout_format=_READOUT.get(unit, ".3g"),
        style=style,
        layout=w.Layout(width="500px"),
    )
