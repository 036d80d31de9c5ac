"""``make letters-renderings``: the reference renderings in docs/letters/*.png.

Issue 3 asks us to look at the letters, not only test their text: these PNGs let
reviewers and translators see the layout (windowed envelope block, right-to-left
parts, Ethiopic script) without running anything. One page per letter at 70 dpi: the
first page of a bokmål letter or a copy, and for a bilingual letter the first page of
the translation (its first page is the same bokmål page for every language). The
pages are quantized to a small palette, so a rendering stays well under 100 kB.

Uses the sample letters (``samples.sample_letter``) and poppler's ``pdftoppm``
(installed by ``make setup``).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from outreach.letters import i18n
from outreach.letters.pdf import render_pdf
from outreach.letters.samples import sample_letter

DOCS_DIR = i18n.ROOT / "docs" / "letters"
DPI = 70
COLOURS = 48


@dataclass(frozen=True)
class Rendering:
    language: str
    kind: str
    audience: str = "tenant"

    @property
    def filename(self) -> str:
        what = self.kind if self.audience == "tenant" else self.audience
        return f"{self.language}-{what}.png"

    @property
    def bilingual(self) -> bool:
        return self.audience == "tenant" and i18n.needs_translation(self.language)


#: nb, the right-to-left scripts (Arabic Naskh, Urdu Nastaliq, Persian), the Ethiopic
#: ones (Tigrinya, Amharic), and a copy letter.
RENDERINGS: tuple[Rendering, ...] = (
    Rendering("nb", "eviction_petition"),
    Rendering("ar", "eviction_petition"),
    Rendering("ur", "unpaid_rent_warning"),
    Rendering("ti", "eviction_scheduled"),
    Rendering("fa", "forced_sale_notice"),
    Rendering("am", "eviction_petition"),
    Rendering("nb", "forced_sale_notice", "copy_plaintiff"),
)


def _translation_page(pdf: bytes) -> int:
    """The 1-based page where the translation starts (the bokmål part comes first)."""
    return 2 if len(PdfReader(io.BytesIO(pdf)).pages) > 1 else 1


def render_png(rendering: Rendering, out_dir: Path = DOCS_DIR) -> Path:
    """Render one reference page to ``out_dir``; returns the PNG's path."""
    from PIL import Image

    data = sample_letter(rendering.kind, rendering.language, rendering.audience)
    pdf = render_pdf([data])
    page = _translation_page(pdf) if rendering.bilingual else 1
    target = out_dir / rendering.filename
    with tempfile.TemporaryDirectory(prefix="outreach-renderings-") as tmp:
        source = Path(tmp) / "letter.pdf"
        source.write_bytes(pdf)
        stem = Path(tmp) / "page"
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is None:
            raise RuntimeError("pdftoppm (poppler-utils) is missing: run make setup")
        command = [pdftoppm, "-png", "-r", str(DPI), "-f", str(page), "-l", str(page)]
        command += ["-singlefile", str(source), str(stem)]
        subprocess.run(command, check=True)  # noqa: S603 - fixed arguments, no shell
        with Image.open(stem.with_suffix(".png")) as image:
            small = image.convert("RGB").quantize(colors=COLOURS)
            small.save(target, optimize=True)
    return target


def main(argv: list[str] | None = None) -> int:
    out_dir = Path(argv[0]) if argv else DOCS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    for rendering in RENDERINGS:
        path = render_png(rendering, out_dir)
        print(f"{path} ({path.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
