"""``python -m bench.plain_install_check``: does this installation ingest an HTML article?

Run by ``make plain-install-check`` in a fresh venv after a plain ``pip install .`` with the pip
of a fresh Python 3.11.7 (23.2), outside the checkout, so only what pip installed is imported.
HTML extraction (trafilatura) needs ``lxml.html.clean``, which lives in ``lxml_html_clean`` since
lxml 5.2; without it every .html upload fails with an ImportError.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

PAGE = """<!doctype html><html lang="en"><head><title>Valdoria Opens a Ferry Terminal</title>
<meta name="author" content="Mira Tolvanen"></head><body><article>
<h1>Valdoria Opens a Ferry Terminal</h1>
<p>The harbour authority of Valdoria opened the new ferry terminal on Monday, the city said.</p>
<p>"The terminal doubles the number of crossings we can run each day," said harbour master
Ilse Brandt, who has run the port for eleven years.</p>
<p>The terminal cost forty million euros and took three years to build.</p>
</article></body></html>"""


def main() -> int:
    import index.corpus as corpus

    if "site-packages" not in Path(corpus.__file__).resolve().parts:
        print("plain-install-check: run it outside the checkout (on the installed copy)")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        stored = corpus.store_upload(Path(tmp), "ferry.html", PAGE.encode(), {})
    (article, status), *_ = stored
    ok = status == "added" and "Ilse Brandt" in article.text and "Ferry" in article.title
    print(f"plain-install-check: {'OK' if ok else 'FAILED'}: {article.id} ({article.title})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
