"""Default places: the project folder, the embedded sample engagement and the reports folder."""

from __future__ import annotations

from pathlib import Path

__all__ = ["NOTEBOOKS", "PROJECT_ROOT", "REPORTS", "SAMPLE_ENGAGEMENT", "engagement_path"]


def _project_root() -> Path:
    """The checkout holding the package (an editable install), else the current folder."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


PROJECT_ROOT = _project_root()
SAMPLE_ENGAGEMENT = PROJECT_ROOT / "data" / "sample"
REPORTS = PROJECT_ROOT / "reports"
NOTEBOOKS = PROJECT_ROOT / "notebooks"


def engagement_path(engagement: str | Path = "") -> Path:
    """An engagement folder as a report parameter gives it: empty means the embedded sample; a relative
    path is taken from the current folder, else from the project folder."""
    if not str(engagement):
        return SAMPLE_ENGAGEMENT
    path = Path(engagement).expanduser()
    if path.is_absolute() or path.exists():
        return path
    return PROJECT_ROOT / path
