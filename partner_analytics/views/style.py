"""The reports' look, shared by charts, tables and the what-if app: one palette, and for each status,
party and earn-back state one colour, one marker symbol, one bar pattern and one text glyph.

The palette is Okabe & Ito (2008), safe for the common colour-vision deficiencies; every state also
has a shape and a label, so nothing depends on colour alone.
"""

from __future__ import annotations

from .language import N_

__all__ = [
    "CORRIDOR_STYLE",
    "EARNBACK_STYLE",
    "FONT",
    "INK",
    "MUTED",
    "OKABE_ITO",
    "PARTY_COLOURS",
    "PARTY_PATTERNS",
    "PARTY_SYMBOLS",
    "STATUS_COLOURS",
    "STATUS_GLYPHS",
    "STATUS_PATTERNS",
    "STATUS_SYMBOLS",
]

OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
INK = "#333333"
MUTED = "#999999"
FONT = "Inter, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

STATUS_COLOURS: dict[str, str] = {
    "met": OKABE_ITO["bluish green"],
    "below target": OKABE_ITO["orange"],
    "breach": OKABE_ITO["vermillion"],
    "excused": OKABE_ITO["sky blue"],
    "excused (relief)": OKABE_ITO["black"],
    "not measurable": MUTED,
}
STATUS_SYMBOLS: dict[str, str] = {
    "met": "circle",
    "below target": "diamond",
    "breach": "x",
    "excused": "square",
    "excused (relief)": "square-open",
    "not measurable": "circle-open",
}
# The same shapes as text, for tables and labels.
STATUS_GLYPHS: dict[str, str] = {
    "met": "●",
    "below target": "◆",
    "breach": "✖",
    "excused": "■",
    "excused (relief)": "□",
    "not measurable": "○",
}
STATUS_PATTERNS: dict[str, str] = {
    "met": "",
    "below target": ".",
    "breach": "x",
    "excused": "/",
    "excused (relief)": "\\",
    "not measurable": "-",
}

PARTY_COLOURS: dict[str, str] = {
    "client": OKABE_ITO["blue"],
    "provider": OKABE_ITO["reddish purple"],
    "joint": OKABE_ITO["yellow"],
}
PARTY_SYMBOLS: dict[str, str] = {"client": "hexagon", "provider": "star", "joint": "cross"}
PARTY_PATTERNS: dict[str, str] = {"client": "", "provider": "/", "joint": "."}

# Credits: final in the breach colour, provisional as its lighter, hatched tint, earned back in the met colour.
EARNBACK_STYLE: dict[str, dict[str, str]] = {
    "final": {"colour": STATUS_COLOURS["breach"], "pattern": ""},
    "provisional": {"colour": "#EAAE7F", "pattern": "/"},
    "earned back": {"colour": STATUS_COLOURS["met"], "pattern": "."},
}

CORRIDOR_STYLE: dict[str, dict[str, str]] = {
    "within": {"colour": INK, "symbol": "circle", "label": N_("within the corridor")},
    "below": {"colour": OKABE_ITO["orange"], "symbol": "triangle-down", "label": N_("below: client owes compensation")},
    "above": {"colour": STATUS_COLOURS["excused"], "symbol": "triangle-up", "label": N_("above: breaches excused")},
    "no forecast": {"colour": MUTED, "symbol": "circle-open", "label": N_("no contractual forecast")},
}
