"""One self-contained HTML file per report: inline style, no scripts, every string autoescaped."""

from __future__ import annotations

from functools import cache

import jinja2

from kb.report.model import Report


@cache
def _template() -> jinja2.Template:
    """Return the report template, loaded once from the package."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kb.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("report.html.j2")


def to_html(report: Report) -> str:
    """Return the report as one HTML document with a strict Content-Security-Policy."""
    return _template().render(r=report)
