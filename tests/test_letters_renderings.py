"""``make letters-renderings``: the reference PNGs in docs/letters/ can be regenerated."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from outreach.letters.renderings import DOCS_DIR, RENDERINGS, Rendering, render_png


def test_the_renderings_cover_the_scripts_and_a_copy_and_are_committed():
    languages = {r.language for r in RENDERINGS}
    assert {"nb", "ar", "ur", "ti", "fa", "am"} <= languages
    assert any(r.audience != "tenant" for r in RENDERINGS)
    for rendering in RENDERINGS:
        assert (DOCS_DIR / rendering.filename).is_file(), rendering.filename


def test_one_page_at_70_dpi_kept_small(tmp_path: Path):
    path = render_png(Rendering("nb", "forced_sale_notice", "copy_plaintiff"), tmp_path)
    assert path.name == "nb-copy_plaintiff.png"
    with Image.open(path) as image:
        # A4 at 70 dpi: 579 x 819 pixels, one page only.
        assert abs(image.width - 579) <= 2 and abs(image.height - 819) <= 2
    assert path.stat().st_size < 100_000
