"""Fonts and resource fetching for WeasyPrint.

Fonts are referenced with ``@font-face`` from the Debian ``fonts-noto-core`` files, so a
letter looks the same on every host instead of depending on fontconfig's defaults
(TECH-NOTES "PDF letters"). One :class:`FontConfiguration` is shared by every render: it
caches the loaded faces, which is most of WeasyPrint's per-document start-up cost.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

FONT_DIR = Path("/usr/share/fonts/truetype/noto")

#: CSS family -> (regular file, bold file). Naskh for Arabic-script languages (Arabic,
#: Persian, Dari, Pashto, Sorani all covered); Nastaliq for Urdu, the style Urdu readers
#: expect; Ethiopic for Tigrinya and Amharic; Noto Sans for Latin, Cyrillic and Vietnamese.
FAMILIES: dict[str, tuple[str, str]] = {
    "Outreach Sans": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "Outreach Naskh": ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),
    "Outreach Nastaliq": ("NotoNastaliqUrdu-Regular.ttf", "NotoNastaliqUrdu-Bold.ttf"),
    "Outreach Ethiopic": ("NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf"),
    "Outreach Tamil": ("NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf"),
}


class MissingFonts(RuntimeError):
    """The Noto font files are not installed (``apt-get install fonts-noto-core``)."""


def font_files() -> list[Path]:
    return [FONT_DIR / name for pair in FAMILIES.values() for name in pair]


@cache
def font_face_css() -> str:
    missing = [str(path) for path in font_files() if not path.exists()]
    if missing:
        raise MissingFonts(
            "missing font files (install the Debian package fonts-noto-core): " + ", ".join(missing)
        )
    rules = []
    for family, (regular, bold) in FAMILIES.items():
        for weight, filename in (("normal", regular), ("bold", bold)):
            rules.append(
                f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                f'src: url("{(FONT_DIR / filename).as_uri()}"); }}'
            )
    return "\n".join(rules)


@cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


class LocalOnlyFetcher(URLFetcher):
    """Fetches only our own font files and ``data:`` URLs; refuses everything else.

    Letters are built from our templates only, but a landlord's name or an address ends up
    in the HTML: refusing network and arbitrary file URLs means no rendering can leak data
    or hang on a remote server (TECH-NOTES: untrusted HTML can make WeasyPrint render
    forever).
    """

    def __init__(self, allowed_dirs: tuple[Path, ...] = (FONT_DIR,)) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self._allowed = tuple(path.resolve() for path in allowed_dirs)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("file:"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if not any(path.is_relative_to(allowed) for allowed in self._allowed):
                raise ValueError(f"refusing to read {url}: not a letter resource")
        elif not url.startswith("data:"):
            raise ValueError(f"refusing to fetch {url}: letters never use the network")
        return super().fetch(url, headers)
