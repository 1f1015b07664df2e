"""The reports' messages: extract them and keep the language catalogs in step.

    python tools/messages.py          # add new messages to every catalog, drop those no longer used

Every message a report shows is English text marked in the code (`_("…")`, `ngettext(…)`, `N_("…")`) in the
package, its templates (cycle index, pack cover) and the committee notebooks' code cells, plus the KPI registry's
labels.
Babel's extractors find them; each catalog under `partner_analytics/views/locale/` keeps its translations and
gets the new messages untranslated (a test fails until they are translated: tests/test_language.py).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract, extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "partner_analytics"
NOTEBOOKS = ROOT / "notebooks"
LOCALE = PACKAGE / "views" / "locale"
HEADER = "# The reports' messages in one language (msgids: English). Updated by tools/messages.py."
METHODS = [
    ("**.py", "python"),
    ("batch/templates/cycle_index/**.j2", "jinja2"),
    ("batch/templates/pack/**.j2", "jinja2"),
]
# the sample generator and the command line are not reports (the what-if's messages are: its section and exit plan)
SKIPPED = ("sample/", "cli.py")


def extracted() -> dict[str | tuple[str, str], set[str]]:
    """Every message of the reports (a plural message: its two forms), with where it is used."""
    found: dict[str | tuple[str, str], set[str]] = {}

    def add(message: str | tuple[str, ...], where: str) -> None:
        key = message if isinstance(message, str) else (message[0], message[1])
        if key:
            found.setdefault(key, set()).add(where)

    for filename, _line, message, _comments, _context in extract_from_dir(
        PACKAGE, METHODS, keywords=DEFAULT_KEYWORDS, strip_comment_tags=True
    ):
        if not filename.startswith(SKIPPED):
            add(message, f"partner_analytics/{filename}")
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            code = "".join(cell["source"]).encode("utf-8")
            for _line, message, _comments, _context in extract("python", io.BytesIO(code), keywords=DEFAULT_KEYWORDS):
                add(message, f"notebooks/{notebook.name}")
    sys.path.insert(0, str(ROOT))
    from partner_analytics.core.kpis import KPIS

    for kpi in KPIS.values():
        add(kpi.label, "partner_analytics/core/kpis.py")
    return found


def catalog_path(language: str) -> Path:
    return LOCALE / f"{language}.po"


def read_catalog(language: str) -> Catalog:
    with catalog_path(language).open("rb") as f:
        return read_po(f, locale=language)


def updated(language: str, messages: dict[str | tuple[str, str], set[str]]) -> Catalog:
    """The language's catalog holding exactly `messages`: their translations kept, new ones empty."""
    old = read_catalog(language)
    new = Catalog(
        locale=language,
        header_comment=HEADER,
        project="partner-analytics",
        version="0.1",
        msgid_bugs_address="",
        creation_date=old.creation_date,
        revision_date=old.revision_date,
        last_translator="partner-analytics",
        language_team=language,
        charset="utf-8",
        fuzzy=False,
    )
    for message in sorted(messages, key=lambda m: m if isinstance(m, str) else m[0]):
        before = old.get(message[0] if isinstance(message, tuple) else message)
        string: str | tuple[str, ...] = ("",) * new.num_plurals if isinstance(message, tuple) else ""
        if before is not None and before.string and before.id == message:
            string = before.string
        new.add(message, string, auto_comments=sorted(messages[message]))
    return new


def main() -> None:
    messages = extracted()
    for path in sorted(LOCALE.glob("*.po")):
        catalog = updated(path.stem, messages)
        with path.open("wb") as f:
            write_po(f, catalog, width=120, no_location=True, omit_header=False, sort_output=False)
        empty = sum(1 for m in catalog if m.id and not (all(m.string) if isinstance(m.id, tuple) else m.string))
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {empty} untranslated")


if __name__ == "__main__":
    main()
