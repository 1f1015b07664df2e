"""The `partner-analytics` command line.

Every error reaches the user as one line naming what to fix and a non-zero exit status;
`--debug` shows the traceback.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from .core.errors import PartnerAnalyticsError
from .core.paths import NOTEBOOKS, REPORTS, SAMPLE_ENGAGEMENT

if TYPE_CHECKING:
    from .metrics.partitioned import Reading

__all__ = ["app", "main"]

app = typer.Typer(
    name="partner-analytics",
    help="Govern a partnership with contact-centre outsourcers: results versus objectives, shared risks "
    "and gains, steering-committee reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_console = Console()
_state = {"debug": False}

EngagementOption = Annotated[
    Path | None,
    typer.Option(
        "--engagement", "-e", help="Engagement folder (contract.yaml + tables); default: the embedded sample."
    ),
]
AllowOutsideOption = Annotated[
    bool,
    typer.Option(
        "--allow-outside",
        help="Read table files outside the engagement folder (absolute or `..` paths under sources:, links "
        "leading out); refused by default.",
    ),
]


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="Show the full traceback of an error.")] = False,
) -> None:
    _state["debug"] = debug


@app.command()
def sample(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the engagement into.")] = SAMPLE_ENGAGEMENT,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same bytes.")] = 7,
    contacts: Annotated[
        int | None,
        typer.Option(
            "--contacts",
            help="Approximate number of contacts (default: the embedded sample's size); above 1 000 000 they "
            "are generated month by month, in bounded memory.",
        ),
    ] = None,
) -> None:
    """Generate the sample engagement (deterministic)."""
    from .sample import generate_sample

    path = generate_sample(out, seed=seed, contacts=contacts)
    _console.print(f"sample engagement written to {escape(str(path))}", soft_wrap=True)


@app.command()
def check(
    engagement: EngagementOption = None,
    show: Annotated[int, typer.Option(help="How many rejected rows to list.")] = 20,
    rejected_out: Annotated[
        Path | None, typer.Option("--rejected-out", help="Write every rejected row to this CSV file.")
    ] = None,
    allow_outside: AllowOutsideOption = False,
    max_rejected_share: Annotated[
        float,
        typer.Option(
            "--max-rejected-share",
            min=0,
            max=1,
            help="Exit with status 1 when a table has a larger share of rejected rows (0.5: half).",
        ),
    ] = 0.5,
) -> None:
    """Validate an engagement and summarise what it holds, listing rejected rows.

    Exits with status 1 when the data is not fit to compute from: the required table without a valid
    row, or a table whose share of rejected rows is above --max-rejected-share.
    """
    from .io.engagement import load
    from .io.quality import quality_failures, table_quality
    from .io.summary import engagement_summary

    eng = load(_engagement(engagement), allow_outside=allow_outside)
    s = engagement_summary(eng)
    _console.print(f"[bold]{escape(s.client)}[/bold] — engagement {escape(str(eng.path))}", soft_wrap=True)
    _console.print(
        f"months with contacts: {s.first_month:%Y-%m} to {s.last_month:%Y-%m} ({s.months} months)"
        if s.months
        else "no contacts"
    )
    partners = RichTable("partner", "name", "contract", "channels", "contacts", title="Partners")
    for p in s.partners.iter_rows(named=True):
        partners.add_row(
            escape(p["partner_id"]),
            escape(p["name"]),
            f"{p['start']} to {p['end']}",
            escape(p["channels"] or ""),
            f"{p['contacts']:,}",
        )
    _console.print(partners)
    rows = RichTable("table", "file", "valid rows", "rejected rows", title="Tables")
    for r in s.rows.iter_rows(named=True):
        rows.add_row(r["table"], escape(r["file"]), f"{r['valid']:,}", f"{r['rejected']:,}")
    _console.print(rows)
    for w in s.warnings:
        _console.print(f"[yellow]warning[/yellow]: {escape(w)}", soft_wrap=True)
    qualities = table_quality(eng, s)
    for q in qualities:
        if q.diagnosis:
            _console.print(f"[yellow]diagnosis[/yellow]: {escape(q.file)}: {escape(q.diagnosis)}", soft_wrap=True)
    if s.rejected.height:
        listed = RichTable("file", "row", "column", "value", "reason", title=f"Rejected rows ({s.rejected.height:,})")
        for r in s.rejected.head(show).iter_rows(named=True):
            listed.add_row(
                *(escape(str(v)) for v in (Path(r["file"]).name, r["row"], r["column"], r["value"], r["reason"]))
            )
        _console.print(listed)
        if s.rejected.height > show:
            _console.print(f"... and {s.rejected.height - show:,} more (--rejected-out FILE writes them all)")
    else:
        _console.print("no rejected rows")
    if rejected_out is not None:
        from .core.atomic import atomic_path
        from .core.spreadsheet import write_csv

        with atomic_path(rejected_out) as tmp:
            write_csv(s.rejected, tmp)
        _console.print(f"rejected rows written to {escape(str(rejected_out))}", soft_wrap=True)
    failures = quality_failures(qualities, max_rejected_share)
    for line in failures:
        print(f"error: {line}", file=sys.stderr)
    if failures:
        raise typer.Exit(1)


@app.command()
def tables(
    engagement: EngagementOption = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the tables into.")] = Path("tables"),
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, parquet or xlsx (one workbook).")] = "csv",
    allow_outside: AllowOutsideOption = False,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            help="Read a large contact history's partitions on a Dask cluster: its scheduler's address "
            "(tcp://host:port; the engagement folder shared by its machines), or `local` for one on this "
            "machine (--workers processes).",
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", min=1, help="Processes of a `--cluster local` (default: CPUs).")
    ] = None,
) -> None:
    """Compute every table (results, gaps, credits, statement, …) and write them for Excel or code."""
    import time

    from .io.engagement import errors_naming_files, load
    from .io.export import export_tables
    from .io.lineage import digests_read_meanwhile, lineage
    from .pipeline.analysis import compute

    if fmt not in ("csv", "parquet", "xlsx"):
        raise typer.BadParameter(f"{fmt!r}: expected csv, parquet or xlsx", param_hint="--format")
    started = time.perf_counter()
    eng = load(_engagement(engagement), allow_outside=allow_outside)
    with errors_naming_files(eng), digests_read_meanwhile(eng), _partition_reading(cluster, workers) as reading:
        computed = compute(eng, reading=reading)
        frames = {name: frame.collect() for name, frame in computed.tables().items()}
    export_tables(frames, out, fmt, lineage(eng, rejected=frames["rejected"].lazy()))  # type: ignore[arg-type]
    _console.print(
        f"{len(frames)} tables written to {escape(str(out))} in {time.perf_counter() - started:.1f} s", soft_wrap=True
    )


@contextmanager
def _partition_reading(cluster: str | None, workers: int | None) -> Iterator[Reading | None]:
    """The workers of the Dask cluster at `cluster` as the readers of the contacts' partitions; None
    (this process's threads) without one."""
    if cluster is None:
        yield None
        return
    from .batch.cluster import cluster_client, partition_reading

    with cluster_client(cluster, workers=workers) as client:
        yield partition_reading(client)


@app.command()
def cycle(
    period: Annotated[
        str,
        typer.Argument(
            help="A month (2026-09: its operational committee), a quarter (2026-Q3: the strategic committee and "
            "the programme overview), or latest-month / latest-quarter (the latest complete one in the data)."
        ),
    ],
    engagement: Annotated[
        list[Path] | None,
        typer.Option(
            "--engagement",
            "-e",
            help="Engagement folder; repeat it, or give a folder of engagement folders, for a portfolio (one "
            "cycle each, one index). Default: the embedded sample.",
        ),
    ] = None,
    committee: Annotated[
        str | None,
        typer.Option(
            "--committee",
            "-c",
            help="operational, strategic or all (a quarter with its months' operational reports). "
            "Default: the period's own committee.",
        ),
    ] = None,
    partners: Annotated[
        str | None, typer.Option("--partners", "-p", help="Comma-separated partner ids (default: every partner).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", min=1, help="Reports run at once (default: the CPU count).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Reports folder.")] = REPORTS,
    notebooks: Annotated[Path, typer.Option("--notebooks", hidden=True)] = NOTEBOOKS,
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            "-s",
            help="A what-if scenario YAML, shown in the programme overview (client only).",
        ),
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print each report to PDF (needs Chromium).")] = True,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            "-l",
            help="The reports' language: en or fr (default: contract.yaml's language, else en).",
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            help="Run the reports on a Dask cluster: its scheduler's address (tcp://host:port; the reports "
            "folder shared by its machines), or `local` for one on this machine (--workers processes).",
        ),
    ] = None,
) -> None:
    """Run a committee cycle: every report of the period, as offline HTML and (with Chromium) PDF, with an index."""
    import signal
    import time
    from contextlib import nullcontext

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .batch.cluster import cluster_client
    from .batch.cycle import prepare_cycle, run_cycle
    from .batch.portfolio import engagement_folders, run_portfolio

    if committee not in (None, "operational", "strategic", "all"):
        raise typer.BadParameter(f"{committee!r}: expected operational, strategic or all", param_hint="--committee")
    ids = [p.strip() for p in partners.split(",") if p.strip()] if partners else None
    if language not in (None, "en", "fr"):
        raise typer.BadParameter(f"{language!r}: expected en or fr", param_hint="--language")
    folders = engagement_folders(engagement) if engagement else [_engagement(None)]
    plans = [
        prepare_cycle(
            f,
            period,
            out,
            committee=committee,
            partners=ids,
            notebooks=notebooks,
            scenario=scenario,
            language=language,
        )  # type: ignore[arg-type]
        for f in folders
    ]
    for plan in plans:
        _console.print(
            f"[bold]{escape(plan.engagement.contract.client)}[/bold] — cycle {plan.period}: {len(plan.reports)} "
            f"reports into {escape(str(plan.folder))}",
            soft_wrap=True,
        )

    def interrupted(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # stops the workers and their kernels on the way out

    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGTERM, signal.SIGHUP)}
    started = time.perf_counter()
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_console,
            transient=False,
        ) as progress:
            task = progress.add_task("computing the tables", total=sum(len(p.reports) for p in plans))

            def tick(report, result) -> None:
                mark = "[green]ok[/green]" if result.ok else "[red]failed[/red]"
                who = escape(report.partner_id or "programme")
                progress.update(task, advance=1, description=f"{report.committee} {report.period} · {who} {mark}")

            with cluster_client(cluster, workers=workers) if cluster else nullcontext() as client:
                if len(plans) == 1:
                    outcomes = [run_cycle(plans[0], workers=workers, on_result=tick, pdf=pdf, cluster=client)]
                else:
                    outcomes = run_portfolio(plans, workers=workers, on_result=tick, pdf=pdf, cluster=client)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    failed = sum(_cycle_summary(plan, outcome, pdf=pdf) for plan, outcome in zip(plans, outcomes, strict=True))
    if len(plans) > 1:
        _console.print(f"portfolio index: {escape(str(plans[0].root / 'index.html'))}", soft_wrap=True)
    _console.print(f"in {time.perf_counter() - started:.1f} s")
    if failed:
        raise typer.Exit(1)


def _cycle_summary(plan, outcome, *, pdf: bool) -> int:
    """Print what a cycle wrote (its reports, failures, index, PDFs, rejected rows); return how many failed."""
    from .batch.pdf import PDF_HOWTO, chromium

    summary = RichTable("committee", "period", "partner", "status", "time", "error", title="Reports")
    for report, result in zip(plan.reports, outcome.results, strict=True):
        status = "not run" if result is None else ("[green]ok[/green]" if result.ok else "[red]failed[/red]")
        seconds = "" if result is None else f"{result.timings.total_s:.1f} s"
        error = result.error.summary() if result is not None and result.error is not None else ""
        summary.add_row(
            report.committee, report.period, escape(report.partner_id or "all"), status, seconds, escape(error)
        )
    _console.print(summary)
    for report, result in outcome.failed:
        assert result.error is not None
        _console.print(f"[red]failed[/red] {escape(report.label)}: {escape(result.error.summary())}", soft_wrap=True)
    failed = len(outcome.failed)
    _console.print(
        f"{len(plan.reports) - failed} of {len(plan.reports)} reports written"
        + (f", [red]{failed} failed[/red]" if failed else "")
    )
    _console.print(f"index: {escape(str(plan.index_path))}", soft_wrap=True)
    if pdf and chromium() is None:
        _console.print(f"[yellow]HTML only[/yellow]: {escape(PDF_HOWTO)}", soft_wrap=True)
    elif pdf:
        pdfs = sum(r.pdf_path.exists() for r in plan.reports)
        _console.print(f"{pdfs} of {len(plan.reports)} reports also as PDF (A4), beside their HTML", soft_wrap=True)
        if outcome.packs:
            folder = outcome.packs[0][0].path.parent
            _console.print(
                f"{len(outcome.packs)} committee packs (cover, contents, reports, numbered pages): "
                f"{escape(str(folder))}",
                soft_wrap=True,
            )
    if rejected := outcome.lineage.get("rejected_rows"):
        _console.print(
            f"[yellow]warning[/yellow]: {rejected:,} rows of the data were rejected and are left out of these "
            "reports (`partner-analytics check` lists them)",
            soft_wrap=True,
        )
    return failed


@app.command()
def html(
    notebook: Annotated[Path, typer.Argument(help="An executed notebook (run and saved in JupyterLab).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="HTML file to write (default: the notebook's, .html).")
    ] = None,
    code: Annotated[bool, typer.Option("--code/--no-code", help="Show the cells' code.")] = True,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            "-l",
            help="The page's language (its <html lang>): en or fr (default: the notebook's `language` parameter, "
            "else en).",
        ),
    ] = None,
) -> None:
    """Write an executed notebook as one HTML page that works offline: its charts drawn by plotly.js
    inside the page, no request to any other host (what `jupyter nbconvert --to html` does not give)."""
    import nbformat

    from .batch.html_export import ReportExporter

    if not notebook.is_file():
        raise typer.BadParameter(f"{notebook}: no such notebook", param_hint="NOTEBOOK")
    nb = nbformat.read(notebook, as_version=4)
    if not any(cell.get("outputs") for cell in nb.cells if cell.get("cell_type") == "code"):
        raise typer.BadParameter(f"{notebook}: the notebook has no outputs (run it and save it first)")
    if language not in (None, "en", "fr"):
        raise typer.BadParameter(f"{language!r}: expected en or fr", param_hint="--language")
    path = ReportExporter(code=code).write(
        nb, out or notebook.with_suffix(".html"), title=notebook.stem, language=language
    )
    _console.print(f"written {escape(str(path))}", soft_wrap=True)


@app.command("what-if")
def what_if(
    engagement: EngagementOption = None,
    partner: Annotated[str, typer.Option(help="Partner shown first (default: the contract's first).")] = "",
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8866,
    scenarios: Annotated[
        Path | None,
        typer.Option(help="Folder the app saves scenarios to (default: scenarios/ of the current directory)."),
    ] = None,
    cull_after: Annotated[
        int,
        typer.Option(
            help="Seconds after which the kernel of a closed page is shut down (at least 10: a kernel being "
            "started is idle too).",
            min=10,
        ),
    ] = 60,
) -> None:
    """Serve the what-if notebook as a web app (Voilà on 127.0.0.1, no code shown) until Ctrl-C."""
    from .contract.reading import read_contract
    from .whatif.webapp import free_port, serve

    folder = _engagement(engagement).expanduser().resolve()
    contract = read_contract(folder / "contract.yaml")
    if partner and partner not in contract.partner_ids:
        raise typer.BadParameter(
            f"{partner!r}: expected one of {', '.join(contract.partner_ids)}", param_hint="--partner"
        )
    status = serve(folder, partner, port or free_port(), scenarios=scenarios, cull_after_s=cull_after)
    if status:
        raise typer.Exit(status)


PartnerOption = Annotated[str, typer.Option("--partner", "-p", help="The partner whose statement it is.")]
PartyOption = Annotated[str, typer.Option("--party", help="Who acts: client or provider.")]
ByOption = Annotated[str, typer.Option("--by", help="The name of the person who acts for the party.")]


@app.command("sign")
def sign_statement(
    period: Annotated[str, typer.Argument(help="The month (2026-08) or quarter (2026-Q3) of the statement.")],
    partner: PartnerOption,
    party: PartyOption,
    by: ByOption,
    engagement: EngagementOption = None,
    allow_outside: AllowOutsideOption = False,
) -> None:
    """Record a party's acceptance of a partner's statement for a month or a quarter; signed by both, it is
    locked."""
    from .core.money import format_cents
    from .record.ledger import ledger_path, read_ledger
    from .record.signoff import locked_months, sign

    eng, statement, inputs = _statement(engagement, allow_outside)
    path = ledger_path(eng.path)
    entry = sign(
        path, statement, inputs, eng.contract.partner_ids, period=period, partner_id=partner, party=party, by=by
    )
    data = entry["data"]
    net = sum(m["net"] for m in data["figures"].values())
    locked = any(m["period"] == data["period"] and m["partner_id"] == partner for m in locked_months(read_ledger(path)))
    _console.print(
        f"{escape(partner)} {data['period']} signed by the {party} ({escape(data['by'])}): net "
        f"{format_cents(net, eng.contract.currency)}; "
        + ("signed by both parties: locked" if locked else "awaiting the other party's signature")
        + f" (ledger entry {entry['seq']})",
        soft_wrap=True,
    )


@app.command("dispute")
def dispute_line(
    month: Annotated[str, typer.Argument(help="The month of the statement (2026-08).")],
    partner: PartnerOption,
    line: Annotated[
        str,
        typer.Option(
            "--line",
            help="The line disputed: charges, credits, earned_back, bonus, corridor_compensation, gain_share, "
            "resource_adjustment, or one service level's credit (credit:service_level/voice).",
        ),
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why the line is disputed.")],
    party: PartyOption,
    by: ByOption,
    claimed: Annotated[
        str, typer.Option("--claimed", help="The amount the party holds right for the line (default 0).")
    ] = "0",
    engagement: EngagementOption = None,
    allow_outside: AllowOutsideOption = False,
) -> None:
    """Dispute a line of a partner's statement for a month; the rest of the month stays payable."""
    from .core.money import format_cents
    from .record.disputes import dispute
    from .record.ledger import ledger_path

    cents = _cents(claimed, "--claimed")
    eng, statement, _inputs, credits = _statement(engagement, allow_outside, with_credits=True)
    entry = dispute(
        ledger_path(eng.path),
        statement,
        credits,
        eng.contract.partner_ids,
        month=month,
        partner_id=partner,
        line=line,
        reason=reason,
        party=party,
        by=by,
        claimed=cents,
    )
    data = entry["data"]
    currency = eng.contract.currency
    _console.print(
        f"dispute {entry['seq']}: {escape(line)} of {escape(partner)} {data['month']} "
        f"({format_cents(data['amount'], currency)}, {format_cents(cents, currency)} claimed) disputed by the "
        f"{party} ({escape(data['by'])}); `partner-analytics resolve {entry['seq']}` answers it",
        soft_wrap=True,
    )


@app.command("resolve")
def resolve_dispute(
    dispute_id: Annotated[int, typer.Argument(metavar="DISPUTE", help="The dispute's number (its ledger entry).")],
    outcome: Annotated[str, typer.Option("--outcome", help="accepted, rejected or amended.")],
    party: PartyOption,
    by: ByOption,
    amount: Annotated[
        str | None, typer.Option("--amount", help="The line's amount agreed (with --outcome amended).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="What was agreed, in words.")] = "",
    engagement: EngagementOption = None,
) -> None:
    """Answer a dispute: accepted (the amount claimed), rejected (the amount computed) or amended (--amount)."""
    from .core.money import format_cents
    from .record.disputes import resolve
    from .record.ledger import ledger_path

    cents = None if amount is None else _cents(amount, "--amount")
    entry = resolve(
        ledger_path(_engagement(engagement)),
        dispute_id,
        outcome=outcome,
        party=party,
        by=by,
        amount=cents,
        note=note,
    )
    _console.print(
        f"dispute {dispute_id} {outcome}: the line settles at {format_cents(entry['data']['settled'])} "
        f"(ledger entry {entry['seq']})",
        soft_wrap=True,
    )


ledger_app = typer.Typer(
    help="The committee's record (ledger.jsonl in the engagement): verify it, show what it holds.",
    no_args_is_help=True,
)
app.add_typer(ledger_app, name="ledger")


@ledger_app.command("verify")
def ledger_verify(
    engagement: EngagementOption = None,
    head: Annotated[
        str | None,
        typer.Option("--head", help="The hash of the last entry of your own copy: it must still be in the ledger."),
    ] = None,
) -> None:
    """Check that no entry of the ledger was edited, moved or deleted; print its last entry's hash."""
    from .record.ledger import ledger_path, verified_ledger

    path = ledger_path(_engagement(engagement))
    entries = verified_ledger(path, head)
    last = entries[-1]["hash"] if entries else "none"
    _console.print(f"{escape(str(path))}: {len(entries)} entries, chain verified; head {last}", soft_wrap=True)


@ledger_app.command("status")
def ledger_status(
    engagement: EngagementOption = None,
    partner: Annotated[str | None, typer.Option("--partner", "-p", help="Only this partner.")] = None,
    allow_outside: AllowOutsideOption = False,
) -> None:
    """Show the months signed or locked, the open disputes and their age, and the restatements of locked
    months with the adjustment carried into the next open month."""
    import datetime as dt

    import polars as pl

    from .core.money import format_cents
    from .record.ledger import ledger_path
    from .record.signoff import known_partner
    from .record.states import committee_record

    eng, statement, inputs = _statement(engagement, allow_outside)
    record = committee_record(ledger_path(eng.path), statement, inputs, dt.date.today())
    if partner is not None:
        record = record.partner(known_partner(partner, eng.contract.partner_ids, eng.contract_file.path))

    def money(cents: int) -> str:
        return format_cents(cents, eng.contract.currency)

    months = RichTable(
        "partner", "month", "state", "signed", "net", "prior-period adj.", "payable", "in dispute", title="Statements"
    )
    shown = record.statement.filter(
        (pl.col("state") != "draft")
        | pl.col("restated")
        | (pl.col("open_disputes") > 0)
        | (pl.col("prior_period_adjustment") != 0)
    )
    for r in shown.iter_rows(named=True):
        months.add_row(
            escape(r["partner_id"]),
            f"{r['month']:%Y-%m}",
            r["state"] + (", restated" if r["restated"] else "") + (", disputed" if r["open_disputes"] else ""),
            escape(r["signed"]),
            money(r["net"]),
            money(r["prior_period_adjustment"]),
            money(r["payable"]),
            money(r["in_dispute"]),
        )
    _console.print(months)
    disputes = RichTable("dispute", "partner", "month", "line", "amount", "claimed", "status", "age (days)", "reason")
    disputes.title = "Disputes"
    for r in record.disputes.iter_rows(named=True):
        disputes.add_row(
            str(r["dispute"]),
            escape(r["partner_id"]),
            f"{r['month']:%Y-%m}",
            escape(r["line"]),
            money(r["amount"]),
            money(r["claimed"]),
            r["status"],
            str(r["age_days"]),
            escape(r["reason"]),
        )
    _console.print(disputes)
    restated = RichTable(
        "partner", "month", "line", "signed", "restated", "adjusted in", "reason", title="Restatements"
    )
    for r in record.restatements.iter_rows(named=True):
        restated.add_row(
            escape(r["partner_id"]),
            f"{r['month']:%Y-%m}",
            r["line"],
            money(r["original"]),
            money(r["restated"]),
            f"{r['adjusted_in']:%Y-%m}" if r["adjusted_in"] else "no open month yet",
            escape(r["reason"]),
        )
    _console.print(restated)
    _console.print(f"{record.entries} ledger entries, chain verified; head {record.head or 'none'}", soft_wrap=True)


def _statement(engagement: Path | None, allow_outside: bool = False, *, with_credits: bool = False):
    """The engagement, its statement (cents, per partner × month), the lineage of its inputs (and the
    credits per service level)."""
    import polars as pl

    from .io.engagement import errors_naming_files, load
    from .io.lineage import lineage
    from .pipeline.analysis import analyse

    eng = load(_engagement(engagement), allow_outside=allow_outside)
    with errors_naming_files(eng):
        eng = eng.collected()
        analysis = analyse(eng)
        statement, credits = pl.collect_all([analysis.statement, analysis.credits])
    return (eng, statement, lineage(eng), credits) if with_credits else (eng, statement, lineage(eng))


def _cents(text: str, option: str) -> int:
    """An amount typed in the currency (`1200.50`, `-3`) as exact cents; a one-line error otherwise."""
    from decimal import Decimal, InvalidOperation

    from .record.ledger import RecordError

    try:
        cents = Decimal(text.replace(",", "")) * 100
    except InvalidOperation:
        cents = None
    if cents is None or not cents.is_finite() or cents != cents.to_integral_value():
        raise RecordError(f"{text!r}: expected an amount with at most 2 decimals (e.g. 1200.50)", key=option)
    return int(cents)


def _engagement(given: Path | None) -> Path:
    """The engagement folder given, else the embedded sample, saying so: a forgotten --engagement must
    not pass for the user's own data."""
    if given is not None:
        return given
    print(f"note: no --engagement given: using the embedded sample engagement {SAMPLE_ENGAGEMENT}", file=sys.stderr)
    return SAMPLE_ENGAGEMENT


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, prog_name="partner-analytics")
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        if _state["debug"] or "--debug" in args:
            traceback.print_exc()
        if isinstance(e, PartnerAnalyticsError):
            print(f"error: {e}", file=sys.stderr)
        else:
            first = str(e).strip().splitlines()[0] if str(e).strip() else ""
            print(f"error: {type(e).__name__}: {first} (run with --debug for the traceback)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
