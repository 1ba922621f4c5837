"""What reading a photo's caption metadata and file name costs (issue 18, item 6).

    uv run python bench/captions.py [ROUNDS]

Times Checker.extract on the same small photo three ways, in one warm process: no
caption and a camera's file name (IMG_2041.jpg: nothing to read); a name in the file
name only (maya-thompson.jpg); a name in the file name and six caption fields (EXIF
ImageDescription and XPComment, XMP dc:description and PersonInImage, IPTC caption and
keywords), each with other words. Prints the median of ROUNDS (default 15) and the cost
over the first. Only the words are timed beyond the first: face and OCR work is the
same photo each time (a 96 x 64 gradient: no face, no words).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smcheck.api import Checker
from smcheck.config import Config
from smcheck.post import Post
from smcheck.roster import load_roster
from tests.test_captions import exif, iptc, jpeg, xmp

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
ROSTER = Path(__file__).resolve().parent.parent / "sample_posts" / "roster.csv"


def main() -> None:
    checker = Checker(config=Config(), roster=load_roster(ROSTER))
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "six").mkdir()
        cases = {
            "IMG_2041.jpg, no caption": jpeg(d / "IMG_2041.jpg"),
            "maya-thompson.jpg, no caption": jpeg(d / "maya-thompson.jpg"),
            "maya-thompson.jpg, six caption fields": jpeg(
                d / "six" / "maya-thompson.jpg",
                xmp(description="Maya Thompson at the science fair", people=("Leo Ramirez",)),
                iptc((120, "Our readers with Ms. Garcia, Room 12"), (25, "fair"), (25, "Ava")),
                exif=exif(ImageDescription="Spring concert 2026", XPComment="Hope Williams")),
        }
        checker.extract(Post(path="p.txt", text="Hi", images=(cases["IMG_2041.jpg, no caption"],)))
        base = None
        for label, path in cases.items():
            times = []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                checker.extract(Post(path="p.txt", text="Hi", images=(path,)))
                times.append(time.perf_counter() - start)
            median = statistics.median(times) * 1000
            base = median if base is None else base
            print(f"{label:<40} {median:7.1f} ms  (+{median - base:.1f} ms)")


if __name__ == "__main__":
    main()
