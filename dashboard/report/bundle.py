"""The 中期评估 report end to end: progress results in, Word / PDF / zip bytes out.

`ReportInputs` holds the ProgressResults the report reads (the report year, the year before,
the plans with another target year) and the catalogue's domains; how the results were
computed (which values count, which label set) is decided by whoever runs the engine — the
command line and the page pass their options through `load_inputs`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from dashboard import engine
from dashboard.engine import ProgressResult
from dashboard.queries import db
from dashboard.render import present
from dashboard.report import content as report_content
from dashboard.report import docx as report_docx
from dashboard.report import pdf as report_pdf
from dashboard.views import midterm

FORMATS = ("docx", "pdf")
OUTLINES = ("women", "children")

_SQL_DOMAINS = """
WITH d AS (
    SELECT outline, domain, min(rowid) AS first FROM indicator WHERE outline IN ('women', 'children') GROUP BY ALL
)
SELECT outline, domain FROM d ORDER BY outline = 'children', first
"""


@dataclass(frozen=True)
class ReportInputs:
    result: ProgressResult
    previous: ProgressResult | None
    companions: tuple[ProgressResult, ...]
    domains: tuple[tuple[str, str], ...]  # (outline, domain) of the two outlines, catalogue order

    def districts(self) -> list[tuple[str, str]]:
        """(code, name) of the county-level districts in the result, by code."""
        ranking = self.result.ranking.sort("region_code")
        return [(str(c), str(n)) for c, n in ranking.select("region_code", "region_name").iter_rows()]

    def region_name(self, region: str) -> str:
        rows = self.result.by_region.filter(pl.col("region_code") == region)
        return str(rows.item(0, "region_name")) if rows.height else region


def catalogue_domains(db_path: Path) -> tuple[tuple[str, str], ...]:
    """Every domain of the two outlines in the catalogue, women's first, in catalogue order."""
    frame = db.query(db_path, _SQL_DOMAINS)
    return tuple((str(o), str(d)) for o, d in frame.iter_rows())


def load_inputs(db_path: Path, plan: str, year: int, label_set: str = "default", **run_options: Any) -> ReportInputs:
    """Run the engine for everything the report reads. Every region is in scope, so one run
    serves the city, each district and the national comparison; run_options go to engine.run."""
    result = engine.run(db_path, plan, year, None, label_set, **run_options)
    previous = None
    if year - 1 >= result.plan.base_year:
        previous = engine.run(db_path, plan, year - 1, None, label_set, **run_options)
    companions = []
    for code in midterm.companion_plans(result.plan.code, engine.plans(db_path)):
        try:
            companions.append(engine.run(db_path, code, year, None, label_set, **run_options))
        except engine.EngineError:  # the report year lies outside that plan's years
            continue
    return ReportInputs(result, previous, tuple(companions), catalogue_domains(db_path))


def build(
    inputs: ReportInputs, region: str, *, org: str = "", made_on: date | None = None, charts: bool = True
) -> report_content.Report:
    return report_content.build(
        inputs.result,
        region,
        domains=inputs.domains,
        previous=inputs.previous,
        companions=inputs.companions,
        org=org,
        made_on=made_on,
        charts=charts,
    )


def file_name(report: report_content.Report, fmt: str) -> str:
    return present.file_name(f"中期评估报告_{report.plan_name}", report.region_name, report.report_year, fmt)


def render(reports: Sequence[report_content.Report], fmt: str) -> dict[str, bytes]:
    """file name → bytes, in `fmt` (docx, or pdf through LibreOffice: report_pdf.PdfError)."""
    if fmt not in FORMATS:
        raise ValueError(f"未知格式：{fmt}（可用：{'、'.join(FORMATS)}）")
    docs = {file_name(r, "docx"): report_docx.document_bytes(r) for r in reports}
    if fmt == "docx":
        return docs
    pdfs = report_pdf.convert(docs)
    return {name.removesuffix(".docx") + ".pdf": data for name, data in pdfs.items()}


def one(
    inputs: ReportInputs, region: str, fmt: str = "docx", *, org: str = "", made_on: date | None = None
) -> tuple[str, bytes]:
    """(file name, bytes) of the report of one region."""
    ((name, data),) = render([build(inputs, region, org=org, made_on=made_on)], fmt).items()
    return name, data


def district_zip(
    inputs: ReportInputs,
    fmt: str = "docx",
    *,
    org: str = "",
    made_on: date | None = None,
    districts: Sequence[str] | None = None,
) -> bytes:
    """A zip with one report per district (default: every district), for the 区县 工委办s."""
    codes = [code for code, _ in inputs.districts()] if districts is None else list(districts)
    reports = [build(inputs, code, org=org, made_on=made_on) for code in codes]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in render(reports, fmt).items():
            z.writestr(name, data)
    return buf.getvalue()


def zip_name(inputs: ReportInputs, home: str) -> str:
    return present.file_name(
        f"中期评估报告_{inputs.result.plan.name}_各区县", inputs.region_name(home), inputs.result.report_year, "zip"
    )


def region_file(
    db_path: Path,
    plan: str,
    year: int,
    region: str,
    fmt: str,
    label_set: str = "default",
    org: str = "",
    basis: str | None = None,
) -> bytes:
    """The report of one region as bytes, from the database alone (a page's deferred download:
    it runs outside the page's script, so it touches nothing of Streamlit). `basis`: which
    values count (dashboard.engine.publication; None applies the rule)."""
    return one(load_inputs(db_path, plan, year, label_set, basis=basis), region, fmt, org=org)[1]


def districts_file(
    db_path: Path,
    plan: str,
    year: int,
    fmt: str,
    label_set: str = "default",
    org: str = "",
    basis: str | None = None,
) -> bytes:
    """The zip of every district's report, from the database alone (see region_file)."""
    return district_zip(load_inputs(db_path, plan, year, label_set, basis=basis), fmt, org=org)
