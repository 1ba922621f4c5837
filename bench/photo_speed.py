"""The photo folder, smcheck against face_recognition's `face_detection`, interleaved.

The folder of bench/photos.py (the shared test photos, every third one at 12 MP), the
roster of bench/audit.py (5 students, 9 reference photos): `smcheck audit --jobs 2`
(detect, encode and match every face, read the words in every photo) against
`face_detection --cpus 2`, run one after the other, ROUNDS times. Prints each round's
wall times, faces found and ratio, then the range: the machine is shared, so compare
ratios of the same round, not times across runs.

Run: uv run python bench/photo_speed.py [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from audit import BIN, face_roster, faces_found, run  # noqa: E402
from photos import SHARED, photos  # noqa: E402


def main() -> int:
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} is not here (it is in the CI checkout's shared/ folder)")
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        folder = base / "photos"
        folder.mkdir()
        files = photos(folder)
        roster = face_roster(base)
        big = sum("-12mp" in f.name for f in files)
        print(f"{len(files)} photos ({big} at 12 MP)")
        for i in range(rounds):
            ours, out, mem = run([sys.executable, "-m", "smcheck", "audit", str(folder),
                                  "--jobs", "2", "--format", "json", "--exit-zero",
                                  "-r", str(roster)])
            theirs, fd, _ = run([str(BIN / "face_detection"), "--cpus", "2", str(folder)])
            ratios.append(ours / theirs)
            print(f"round {i + 1}: smcheck {ours:.1f} s, {faces_found(out)} faces, "
                  f"{mem / 2**20:.0f} MiB; face_detection {theirs:.1f} s, "
                  f"{len(fd.splitlines())} faces; ratio {ours / theirs:.2f}", flush=True)
    print(f"ratio: median {statistics.median(ratios):.2f}, range {min(ratios):.2f}-"
          f"{max(ratios):.2f} (goal <= 1.00)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
