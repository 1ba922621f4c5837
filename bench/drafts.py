"""Reading drafts (smcheck.documents): seconds per input size, ordinary and hostile.

    uv run python bench/drafts.py            # sizes 250 KB, 500 KB, 1 MB

Each input is built here (no one's data). Only reading is timed (text, photos and
unchecked parts out of the file), not the check that follows. A reader whose time
grows with the square of its input shows it here: doubling the size quadruples it.
"""

from __future__ import annotations

import io
import sys
import time
import zipfile
from collections.abc import Callable

from smcheck.documents import read_draft


def docx(size: int) -> bytes:
    import docx as python_docx

    d = python_docx.Document()
    for _ in range(size // 60):
        d.add_paragraph("Congrats to Hope Williams on the award; call 503-555-0199.")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def odt(size: int) -> bytes:
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    body = "<text:p>Congrats to Hope<text:s/>Williams on the award.</text:p>" * (size // 60)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", f"<office:document-content {ns}><office:body><office:text>"
                   f"{body}</office:text></office:body></office:document-content>")
    return out.getvalue()


CASES: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "docx paragraphs": (".docx", docx),
    "odt paragraphs": (".odt", odt),
    "html paragraphs": (".html", lambda n: b"<p>Hope&nbsp;Williams won.</p>" * (n // 31)),
    "html unclosed tags (hostile)": (".html", lambda n: b"<p>" + b"<a " * (n // 3)),
    "html deep nesting (hostile)": (".html", lambda n: b"<p>x" + b"<span>" * 2000
                                    + b"y " * (n // 2)),
    "rtf paragraphs": (".rtf", lambda n: b"{\\rtf1 " + b"Hope\\~Williams won.\\par " * (n // 25)
                       + b"}"),
    "rtf hyperlink fields (hostile)": (".rtf", lambda n: b"{\\rtf1 "
                                       + b"{\\field{\\*\\fldinst{ HYPERLINK " * (n // 33) + b"}"),
    "rtf pictures": (".rtf", lambda n: b"{\\rtf1 " + b"{\\pict\\pngblip 0011}" * (n // 20)
                     + b"}"),
}


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [250_000, 500_000, 1_000_000]
    print("| input | " + " | ".join(f"{s // 1000} KB" for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for name, (suffix, make) in CASES.items():
        cells = []
        for size in sizes:
            data = make(size)
            start = time.perf_counter()
            read_draft(data, f"bench{suffix}", suffix)
            cells.append(f"{time.perf_counter() - start:.2f} s")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
