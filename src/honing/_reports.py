"""What the report files (the weekly quality report, the release readiness report) share:
their look, Markdown tables, and writing a set of files so that a failure leaves none of
them half-written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The self-contained HTML reports' style: inline, so a report opens from file:// offline.
REPORT_CSS = """
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
  main { max-width: 1100px; margin: 0 auto; padding: 24px; }
  h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; } h3 { font-size: 15px; margin: 16px 0 6px; }
  .muted { color: #59636e; } .small { font-size: 12px; }
  section, .card { background: #fff; border: 1px solid #d1d9e0; border-radius: 8px; padding: 16px; margin: 12px 0; overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e5e9ee; vertical-align: top; }
  th { font-weight: 600; background: #f6f8fa; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 12px; }
  .charts figure { margin: 0; background: #fff; border: 1px solid #d1d9e0; border-radius: 8px; padding: 8px; }
  .charts svg { width: 100%; height: auto; }
  svg.chart { max-width: 100%; height: auto; }
"""


def md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def md_table(head: list[str], rows: list[list[Any]]) -> list[str]:
    """A Markdown table's lines."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows]
    return lines


def write_files(out: Path, files: dict[str, str]) -> dict[str, Path]:
    """Write each `name: text` into directory `out` (created if needed). Every file is first
    written under a temporary name and only then renamed, so a failure part way (a full
    disk, a rendering error) never leaves a partial report behind."""
    out.mkdir(parents=True, exist_ok=True)
    partials = {}
    try:
        for name, text in files.items():
            partial = out / f".{name}.partial"
            partial.write_text(text, encoding="utf-8")
            partials[name] = partial
        written = {}
        for name, partial in partials.items():
            final = out / name
            partial.replace(final)
            written[name] = final
        return written
    finally:
        for partial in partials.values():
            partial.unlink(missing_ok=True)
