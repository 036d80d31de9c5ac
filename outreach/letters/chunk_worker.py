"""Render one slice of a print batch in a child process.

``python -m outreach.letters.chunk_worker IN OUT``: reads the pickled ``(title, letters)``
from the file IN and writes the pickled ``(pdf, page_counts)`` to OUT.
:func:`outreach.letters.batch.render_print_batch` starts one per extra core for a large
batch. A plain child process rather than ``multiprocessing``: nothing of the parent (a web
server's threads, an unguarded ``__main__``) is forked or re-imported.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from outreach.letters.batch import render_chunk


def main(source: str, target: str) -> None:
    title, letters = pickle.loads(Path(source).read_bytes())  # noqa: S301 - written by our parent
    result = render_chunk(title, letters)
    Path(target).write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
