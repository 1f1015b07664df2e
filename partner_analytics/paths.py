"""Default places: the project folder, the embedded sample engagement and the reports folder."""

from __future__ import annotations

from pathlib import Path

__all__ = ["NOTEBOOKS", "PROJECT_ROOT", "REPORTS", "SAMPLE_ENGAGEMENT"]


def _project_root() -> Path:
    """The checkout holding the package (an editable install), else the current folder."""
    here = Path(__file__).resolve().parents[1]
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


PROJECT_ROOT = _project_root()
SAMPLE_ENGAGEMENT = PROJECT_ROOT / "data" / "sample"
REPORTS = PROJECT_ROOT / "reports"
NOTEBOOKS = PROJECT_ROOT / "notebooks"
