"""``outreach letter preview --kind KIND --language LANG --out FILE.pdf``.

Renders a sample letter for translators and staff (issue 3). The console script lives in
``outreach/cli.py``; this module holds the click command so the CLI only has to add it:
``letter.add_command(preview)``. Also runnable as ``python -m outreach.letters.preview``.
"""

from __future__ import annotations

from pathlib import Path

import click

from outreach.letters.i18n import LANGUAGES, catalog_status, ensure_compiled
from outreach.letters.markup import render_letter_html
from outreach.letters.model import AUDIENCES, KINDS
from outreach.letters.pdf import render_pdf
from outreach.letters.samples import sample_letter


@click.command("preview")
@click.option("--kind", type=click.Choice(KINDS), default="eviction_petition")
@click.option("--language", type=click.Choice(LANGUAGES), default="nb")
@click.option("--audience", type=click.Choice(AUDIENCES), default="tenant")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--html", is_flag=True, help="Write the HTML instead of the PDF.")
def preview(kind: str, language: str, audience: str, out: Path, html: bool) -> None:
    """Render a sample letter to OUT (PDF, or HTML with --html)."""
    ensure_compiled()
    data = sample_letter(kind, language, audience)
    if html:
        out.write_text(render_letter_html(data), encoding="utf-8")
    else:
        out.write_bytes(render_pdf([data], preview=True))
    click.echo(f"wrote {out} ({kind}, {language}, {audience})")
    click.echo(f"translation status ({language}): {catalog_status(language)}")


if __name__ == "__main__":
    preview()
