"""The printable quarterly report: the page's HTML to PDF through the letters' WeasyPrint path.

The same fonts (``@font-face`` on the Noto files, one ``FontConfiguration``
per process), the same fetcher that refuses the network and every file but
the fonts, and the same collector settings as a print batch
(:mod:`outreach.letters.pdf`): a report renders identically on every host and
cannot reach out. The charts are inline SVG, which WeasyPrint draws itself, so
they stay vectors in the PDF.

The HTML comes from the staff web's template (the words are the staff
catalogue's); this module knows only how to print it. Every figure in it has
been through :func:`outreach.reports.suppress.suppress`: a PDF leaves the
district.
"""

from __future__ import annotations

from functools import cache

from weasyprint import CSS, HTML

from outreach.letters.fonts import LocalOnlyFetcher, font_config, font_face_css
from outreach.letters.pdf import fewer_gc_passes

REPORT_CSS = """
@page {
  size: A4;
  margin: 18mm 16mm 20mm 16mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; }
  @bottom-left { content: string(report-title); font-size: 9pt; }
}
html { font-family: "Outreach Sans", sans-serif; font-size: 10pt; color: #1a1a1a; }
h1 { font-size: 18pt; margin: 0 0 4mm; string-set: report-title content(); }
h2 { font-size: 13pt; margin: 8mm 0 2mm; break-after: avoid; }
.meta { color: #444; margin: 0 0 2mm; }
.note { border-left: 3px solid #0067c5; padding: 1mm 3mm; margin: 4mm 0; }
figure { margin: 0 0 6mm; break-inside: avoid; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: 9pt; color: #333; margin: 1mm 0 2mm; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 9pt; }
th, td { border-bottom: 1px solid #bbb; padding: 1mm 2mm; text-align: left; }
tbody th { font-weight: normal; }
td.num, th.num { text-align: right; }
thead th { border-bottom: 1.5px solid #333; }
.csv-link, .skip, nav, .visually-hidden { display: none; }
"""


@cache
def _stylesheet() -> CSS:
    return CSS(
        string=font_face_css() + "\n" + REPORT_CSS,
        font_config=font_config(),
        url_fetcher=LocalOnlyFetcher(),
    )


def render_pdf(html: str) -> bytes:
    """One report as PDF bytes; nothing outside the font directory is read."""
    with fewer_gc_passes():
        document = HTML(string=html, url_fetcher=LocalOnlyFetcher()).render(
            stylesheets=[_stylesheet()], font_config=font_config()
        )
        return bytes(document.write_pdf())
