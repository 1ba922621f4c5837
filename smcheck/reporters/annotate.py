"""--annotate DIR: a copy of each checked photo with every face boxed and labelled, and
the words found written in it (a name tag, a sign) boxed in dashes.

Written only when asked, into the folder given: the copies show students' faces.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from smcheck.extract.images import ImageError, load_image
from smcheck.findings import Finding, Report, Severity

COLOURS = {
    Severity.CRITICAL: (153, 0, 0), Severity.VIOLATION: (220, 30, 30),
    Severity.WARNING: (240, 150, 0), Severity.INFO: (30, 150, 60),
}
SIDE = 1600


def label(f: Finding, redact: bool) -> str:
    who = f.student_id if f.student_id and not redact else "unverified"
    if is_words(f):
        who = f"words {f.student_id}" if f.student_id and not redact else "words"
    if f.rule == "F404" and not redact:
        who = f"maybe {f.student_id}"
    return f"{f.rule} {who}"


def is_words(f: Finding) -> bool:
    """A finding on words written in the photo, not on a face."""
    return f.source == "image" and f.box is not None and not f.rule.startswith("F")


def dashed(draw: Any, box: tuple[float, float, float, float], colour: tuple[int, int, int],
           width: int) -> None:
    left, top, right, bottom = box
    dash = 4 * width
    for x in range(int(left), int(right), 2 * dash):
        end = min(x + dash, right)
        draw.line((x, top, end, top), fill=colour, width=width)
        draw.line((x, bottom, end, bottom), fill=colour, width=width)
    for y in range(int(top), int(bottom), 2 * dash):
        end = min(y + dash, bottom)
        draw.line((left, y, left, end), fill=colour, width=width)
        draw.line((right, y, right, end), fill=colour, width=width)


def annotate(report: Report, folder: Path) -> list[Path]:
    """Write one annotated PNG per checked image; return the files written."""
    from PIL import Image, ImageDraw

    from smcheck.outputs import prepare_folder, write_atomic

    prepare_folder(folder)
    written: list[Path] = []
    for post in report.posts:
        for image, path in zip(post.images, post.image_paths, strict=False):
            faces = [f for f in post.findings if f.file == image and f.box is not None]
            try:
                loaded = load_image(path, SIDE)
            except ImageError:
                continue  # already an E901 finding
            canvas = Image.fromarray(loaded.pixels)
            draw = ImageDraw.Draw(canvas)
            s = loaded.scale
            width = max(2, round(max(canvas.size) / 400))
            for f in sorted(faces, key=lambda f: f.severity):
                assert f.box is not None
                box = (f.box.left * s, f.box.top * s, f.box.right * s, f.box.bottom * s)
                colour = COLOURS[f.severity]
                if is_words(f):
                    dashed(draw, box, colour, width)
                else:
                    draw.rectangle(box, outline=colour, width=width)
                text = label(f, report.redact)
                tw = draw.textlength(text)
                draw.rectangle((box[0], box[1] - 14, box[0] + tw + 6, box[1]), fill=colour)
                draw.text((box[0] + 3, box[1] - 13), text, fill=(255, 255, 255))
            out = folder / f"{Path(image).stem}.annotated.png"
            n = 2
            while out in written:
                out = folder / f"{Path(image).stem}-{n}.annotated.png"
                n += 1
            buffer = io.BytesIO()
            canvas.save(buffer, "PNG")
            write_atomic(out, buffer.getvalue())
            written.append(out)
    return written
