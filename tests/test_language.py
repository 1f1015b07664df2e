"""Reports in English or French: every message translated, numbers, money and dates per language, the
contract's `language` and the cycle's override, and the sample's reports read in one language only."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from partner_analytics.charts.display import PLOTLY_MIMETYPE
from partner_analytics.contract.reading import read_contract
from partner_analytics.core.errors import ContractError
from partner_analytics.core.periods import parse_period
from partner_analytics.views import wording
from partner_analytics.views.language import _, catalog, current_language, in_language, ngettext, set_language

ROOT = Path(__file__).resolve().parent.parent


def _messages_tool():
    spec = importlib.util.spec_from_file_location("messages", ROOT / "tools" / "messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_of_the_reports_has_a_french_translation() -> None:
    # babel's extractors over the package, the cycle index template and the notebooks' code cells, plus the
    # KPI labels: a message added without its translation fails here (`python tools/messages.py` adds it)
    found = _messages_tool().extracted()
    french = catalog("fr")
    assert len(found) > 300
    missing = sorted(str(m) for m in found if not french.get(m))
    assert missing == [], f"untranslated in views/locale/fr.po: {missing[:20]}"
    # a placeholder kept in every translation: the same {names} on both sides
    for message in found:
        for english, translated in zip(
            message if isinstance(message, tuple) else (message,),
            french[message] if isinstance(message, tuple) else (french[message],),
            strict=False,
        ):
            assert set(re.findall(r"{\w+}", english)) == set(re.findall(r"{\w+}", translated)), english


def test_no_message_is_hidden_in_an_f_string() -> None:
    # babel's extractor does not look inside an f-string's braces: `f"<h2>{_('Summary')}</h2>"` would never be
    # translated; such a message is written outside (`"<h2>" + _("Summary") + "</h2>"`)
    hidden = re.compile(r"""f(["']).*\{[^}]*\b(_|ngettext)\(\s*["']""")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "partner_analytics").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if hidden.search(line)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "en",
            {
                "money": "1,234.56 EUR",
                "negative": "−1,234.56 EUR",
                "signed": "+1,234.56 EUR",
                "number": "1,234",
                "decimal": "12.35",
                "percent": "81.2 %",
                "term": "12.5 %",
                "rate": "82.3 %",
                "seconds": "1,234.5 s",
                "score": "4.21 / 5",
                "nps": "−12",
                "change": "−1.5 pts",
                "day": "1 Jul 2027",
                "month": "Jul 2027",
                "month_name": "July 2027",
                "quarter": "Q3 2026",
                "span": "Jul 2026 to Sep 2026",
                "kpi": "Service level · voice",
                "status": "✖ breach",
                "missing": "not measurable",
            },
        ),
        (
            "fr",
            {
                "money": "1\u202f234,56\u00a0€",
                "negative": "−1\u202f234,56\u00a0€",
                "signed": "+1\u202f234,56\u00a0€",
                "number": "1\u202f234",
                "decimal": "12,35",
                "percent": "81,2\u00a0%",
                "term": "12,5\u00a0%",
                "rate": "82,3\u00a0%",
                "seconds": "1\u202f234,5\u00a0s",
                "score": "4,21\u00a0/ 5",
                "nps": "−12",
                "change": "−1,5\u00a0pts",
                "day": "1 juil. 2027",
                "month": "juil. 2027",
                "month_name": "juillet 2027",
                "quarter": "T3 2026",
                "span": "juil. 2026 à sept. 2026",
                "kpi": "Niveau de service · voix",
                "status": "✖ manquement",
                "missing": "non mesurable",
            },
        ),
    ],
)
def test_numbers_money_and_dates_per_language(language: str, texts: dict[str, str]) -> None:
    with in_language(language):
        shown = {
            "money": wording.money_text(123_456, "EUR"),
            "negative": wording.money_text(-123_456, "EUR"),
            "signed": wording.signed_money(123_456, "EUR"),
            "number": wording.number(1234),
            "decimal": wording.number(12.345),  # 12.345 is 12.3449999… in binary: 12.35 as Python rounds it
            "percent": wording.percent(0.8123),
            "term": wording.term_percent(Decimal("0.125")),
            "rate": wording.format_value("service_level", 0.8234),
            "seconds": wording.format_unit(1234.45, "seconds"),
            "score": wording.format_unit(4.214, "score_1_5"),
            "nps": wording.format_unit(-12.4, "score_nps"),
            "change": wording.change_text(-0.015, "rate"),
            "day": wording.day(dt.date(2027, 7, 1)),
            "month": wording.month(dt.date(2027, 7, 1)),
            "month_name": wording.month_name(dt.date(2027, 7, 1)),
            "quarter": wording.period_name(parse_period("2026-Q3")),
            "span": wording.span_text([dt.date(2026, 9, 1), dt.date(2026, 7, 1)]),
            "kpi": wording.kpi_label("service_level", "voice"),
            "status": wording.status_label("breach"),
            "missing": wording.format_value("fcr", None),
        }
    assert shown == texts
    assert current_language() == "en"  # the block's language ends with it


def test_one_date_format_per_language_everywhere() -> None:
    july = dt.date(2027, 7, 1)
    for language, text in (("en", "1 Jul 2027"), ("fr", "1 juil. 2027")):
        with in_language(language):
            assert wording.day(july) == wording.date_name(july) == text


def test_plurals_and_unknown_languages() -> None:
    with in_language("fr"):
        # French counts 0 and 1 as singular
        assert [ngettext("{n} breach", "{n} breaches", n).format(n=n) for n in (0, 1, 2)] == [
            "0 manquement",
            "1 manquement",
            "2 manquements",
        ]
        assert _("Service level") == "Niveau de service"
        assert _("a message nobody translated") == "a message nobody translated"
    assert ngettext("{n} breach", "{n} breaches", 0).format(n=0) == "0 breaches"
    with pytest.raises(ValueError, match="language 'de': expected one of en, fr"):
        set_language("de")


def test_the_contract_names_the_reports_language(sample_dir: Path, tmp_path: Path) -> None:
    text = (sample_dir / "contract.yaml").read_text(encoding="utf-8")
    assert read_contract(sample_dir / "contract.yaml").language == "en"  # the default
    for language in ("fr", "de"):
        (tmp_path / f"{language}.yaml").write_text(f"language: {language}\n{text}", encoding="utf-8")
    assert read_contract(tmp_path / "fr.yaml").language == "fr"
    with pytest.raises(ContractError, match=r"language.*'en' or 'fr'") as refused:
        read_contract(tmp_path / "de.yaml")
    assert "de.yaml" in str(refused.value) and "\n" not in str(refused.value)


class _Texts(HTMLParser):
    """The text of a report's headings, table headers, captions and chart titles."""

    TAGS = ("h1", "h2", "h3", "th", "caption")

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.TAGS:
            self._open.append(tag)
            self.texts.append("")

    def handle_endtag(self, tag) -> None:
        if self._open and tag == self._open[-1]:
            self._open.pop()

    def handle_data(self, data) -> None:
        if self._open:
            self.texts[-1] += data


def _shown(path: Path) -> list[str]:
    html = path.read_text(encoding="utf-8")
    parser = _Texts()
    parser.feed(html)
    titles = re.findall(r'"title":\{"text":"([^"]*)"', html)  # the charts' titles
    return [t.strip() for t in parser.texts + titles if t.strip()]


def _words(language: str) -> set[str]:
    """The messages that read differently in the two languages, as written in `language`."""
    french = {k: v for k, v in catalog("fr").items() if isinstance(k, str) and isinstance(v, str) and k != v}
    chosen = french if language == "fr" else {v: k for k, v in french.items()}
    return {text for text in chosen.values() if "{" not in text and len(text) > 3}


@pytest.mark.parametrize("which", ["strategic/rivage.html", "programme/overview.html"])
def test_the_french_report_has_no_english_heading_and_the_english_no_french(
    sample_cycle, sample_cycle_fr, which: str
) -> None:
    english, french = _shown(sample_cycle.cycle.folder / which), _shown(sample_cycle_fr.cycle.folder / which)
    assert "Résultat" in french or "Prestataire" in french
    assert [t for t in french if t in _words("en")] == []
    assert [t for t in english if t in _words("fr")] == []
    html = (sample_cycle_fr.cycle.folder / which).read_text(encoding="utf-8")
    assert "T3 2026" in html and "2026-Q3" not in html.split("<body", 1)[1].split("<script")[0]


def test_the_french_cycle_writes_french_reports_and_index(sample_cycle_fr) -> None:
    folder = sample_cycle_fr.cycle.folder
    assert sample_cycle_fr.cycle.language == "fr" and not sample_cycle_fr.outcome.failed
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in index and "Comité de pilotage stratégique" in index and "Rapports" in index
    strategic = (folder / "strategic" / "rivage.html").read_text(encoding="utf-8")
    assert "Rivage Relation Client — comité de pilotage stratégique, T3 2026" in strategic
    assert "Objectifs et résultats" in strategic and "Réversibilité" in strategic
    assert re.search(r"\d\u202f\d{3},\d\d\u00a0€", strategic)  # amounts as 73 897,90 €
    assert '"locale":"fr"' in strategic and '"separators":",\u202f"' in strategic
    assert "Plotly.register" in strategic or "moduleType" in strategic  # plotly's French locale is on the page
    operational = (folder / "operational" / "2026-09" / "rivage.html").read_text(encoding="utf-8")
    assert "comité de pilotage opérationnel, septembre 2026" in operational
    assert "Niveaux de service du mois" in operational


class _Shown(HTMLParser):
    """Every text a reader of a page sees: its text nodes (no script, no style) and its `title` attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs) -> None:
        self._hidden += tag in ("script", "style")
        self.texts += [value for name, value in attrs if name == "title" and value]

    def handle_endtag(self, tag) -> None:
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data) -> None:
        if not self._hidden:
            self.texts.append(data)


_FIGURE_TEXTS = ("text", "hovertemplate", "texttemplate", "ticktext")


def _figure_words(value, *, trace: bool = False) -> list[str]:
    """The words of a plotly figure (as the notebook holds it): titles, axis titles and annotations, bar texts,
    tick labels, hover templates, and the traces' legend names."""
    if isinstance(value, list):
        return [w for item in value for w in _figure_words(item, trace=trace)]
    if not isinstance(value, dict):
        return []
    words = [value["name"]] if trace and isinstance(value.get("name"), str) else []
    for key, item in value.items():
        if key in _FIGURE_TEXTS:
            words += [item] if isinstance(item, str) else [w for w in item if isinstance(w, str)]
        elif key == "data":
            words += _figure_words(item, trace=True)
        else:
            words += _figure_words(item)
    return words


def _every_text(page: Path) -> set[str]:
    """The page's texts and its charts' words, each cut at a line break and at ` · ` (a KPI · its channel)."""
    parser = _Shown()
    parser.feed(page.read_text(encoding="utf-8"))
    texts = list(parser.texts)
    if page.with_suffix(".ipynb").is_file():
        cells = json.loads(page.with_suffix(".ipynb").read_text(encoding="utf-8"))["cells"]
        outputs = [out.get("data", {}) for cell in cells for out in cell.get("outputs", [])]
        texts += _figure_words([data[PLOTLY_MIMETYPE] for data in outputs if PLOTLY_MIMETYPE in data])
    pieces = set()
    for text in texts:
        for line in re.split(r"<br>|\n", text):
            pieces.update(p.strip() for p in line.split(" · ") if p.strip())
    return pieces


def _english_left(texts: set[str]) -> list[str]:
    """The texts that are a message of the catalog left in English while its French differs (a message with
    placeholders: its English pattern, whatever fills them)."""
    french = {k: v for k, v in catalog("fr").items() if isinstance(k, str) and isinstance(v, str) and k != v}
    plural = [k for k, v in catalog("fr").items() if isinstance(k, tuple) and k[0] != v[0]]
    plain = {m for m in french if "{" not in m and len(m) > 3}
    patterns = [
        re.compile(".+?".join(re.escape(part) for part in re.split(r"\{\w+\}", m)))
        for m in [*(m for m in french if "{" in m), *(form for forms in plural for form in forms)]
        if len(re.sub(r"\{\w+\}", "", m).strip()) >= 12
    ]
    return sorted(t for t in texts if t in plain or any(p.fullmatch(t) for p in patterns))


@pytest.mark.parametrize(
    "which", ["strategic/rivage.html", "operational/2026-09/rivage.html", "programme/overview.html", "index.html"]
)
def test_a_french_report_leaves_no_message_in_english(sample_cycle_fr, which: str) -> None:
    # every text of the page and of its charts: a message whose French differs from its English is never shown
    # in English (the KPI labels of the floor table, the disputes' lines, the what-if annex once were)
    page = sample_cycle_fr.cycle.folder / which
    texts = _every_text(page)
    assert len(texts) > 100
    assert _english_left(texts) == []
    html = page.read_text(encoding="utf-8")
    assert html.split(">", 2)[1].strip() == '<html lang="fr"'  # the page says its language (nbconvert's default: en)


def test_the_what_if_annex_of_a_french_overview_is_french(sample_cycle_fr) -> None:
    # rivage's term ends on 1 Jul 2027 with 6 months of notice and of transition: notice on 1 Feb 2027 is late
    # (last notice date 1 Jan 2027), the contract runs to 1 Aug 2027 and the transition ends then too
    texts = _every_text(sample_cycle_fr.cycle.folder / "programme" / "overview.html")
    nbsp = "\u00a0"
    assert {
        "Un préavis donné le 1 févr. 2027 est tardif (la date limite de préavis était le 1 janv. 2027)\u00a0: avec 6 mois "
        "de préavis, le contrat court jusqu'au 1 août 2027, au-delà de son terme (1 juil. 2027).",
        "Une transition de 6 mois commencée à la date du préavis finit le 1 août 2027\u00a0: elle tient avant la fin du "
        "contrat.",
        f"Part à risque 20{nbsp}% (contrat{nbsp}: 15{nbsp}%)",
        f"voix{nbsp}: effectifs +25{nbsp}%",
    } <= texts
    assert not [t for t in texts if "Notice on" in t or "Readiness" in t or "months" in t]


def test_an_english_report_says_it_is_english(sample_cycle) -> None:
    for which in ("strategic/rivage.html", "programme/overview.html", "index.html"):
        html = (sample_cycle.cycle.folder / which).read_text(encoding="utf-8")
        assert html.split(">", 2)[1].strip() == '<html lang="en"', which
