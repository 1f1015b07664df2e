"""Errors a user can act on: each names the file and the key (or column) at fault and what was expected."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "ContractError",
    "EngagementError",
    "PartnerAnalyticsError",
    "TableError",
    "closest_name",
    "did_you_mean",
    "shown",
]


class PartnerAnalyticsError(Exception):
    """Base of every error the command line turns into one clear line."""


class EngagementError(PartnerAnalyticsError):
    """Something about an engagement folder or one of its files.

    `file` is the file at fault, `key` the key path (contract) or column/row (table) within it.
    """

    def __init__(self, message: str, *, file: Path | str | None = None, key: str | None = None):
        self.file = str(file) if file is not None else None
        self.key = key
        self.detail = message
        where = ": ".join(part for part in (self.file, key) if part)
        super().__init__(f"{where}: {message}" if where else message)


class ContractError(EngagementError):
    """contract.yaml is missing, unreadable or breaks a rule of the contract model."""


class TableError(EngagementError):
    """A table file cannot be read at all (missing, unreadable, required column absent)."""


def shown(text: str, limit: int = 40) -> str:
    """`text` as a message quotes it: cut to `limit` characters (ending with …), in quotes, with line
    breaks and other control characters escaped, so that a quoted value never spans lines nor
    carries more of a file than a glance needs."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def closest_name(name: str, known: Sequence[str], *, cutoff: float = 0.6) -> str | None:
    """The `known` name closest to `name` when it looks like a misspelling of it (difflib's similarity, case
    ignored, at least `cutoff`), else None."""
    lowered = {k.lower(): k for k in reversed(known)}
    close = difflib.get_close_matches(name.strip().lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[close[0]] if close else None


def did_you_mean(name: str, known: Sequence[str], *, cutoff: float = 0.6) -> str:
    """`did you mean 'at_risk_pct'?` when one of the `known` names is close to `name` (a misspelling:
    `closest_name`), else the names expected."""
    close = closest_name(name, known, cutoff=cutoff)
    if close is not None:
        return f"did you mean {close!r}?"
    return f"expected one of: {', '.join(known)}" if known else "check its spelling"
