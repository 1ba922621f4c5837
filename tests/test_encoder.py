"""dlib's face encoder on onnxruntime (smcheck/extract/encoder.py): the same numbers as
dlib's own forward pass on real faces, the file format read as dlib writes it, and
dlib's encoder kept when the file is not the network smcheck knows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from smcheck.extract import encoder as enc
from smcheck.extract.encoder import EncoderUnavailable, _Reader, read_network
from smcheck.extract.faces import Candidate, FaceModels, _models_dir
from smcheck.extract.images import load_image
from tests.conftest import SHARED

MODEL = _models_dir() / "dlib_face_recognition_resnet_model_v1.dat"
PHOTOS = SHARED / "testdata" / "faces"


@pytest.mark.parametrize(("raw", "value"), [
    (b"\x01\x00", 0),
    (b"\x01\x20", 32),
    (b"\x02\x80\x12", 4736),
    (b"\x81\x11", -17),
    (b"\x03\x62\x90\xf5", 0xF59062),
])
def test_packed_integers_read_as_dlib_writes_them(raw: bytes, value: int) -> None:
    r = _Reader(raw + b"\xff", 0)
    assert r.int() == value
    assert r.pos == len(raw)


@pytest.mark.parametrize("raw", [b"\x00", b"\x0f\x01", b"\x09" + bytes(9)])
def test_a_bad_integer_header_is_refused(raw: bytes) -> None:
    with pytest.raises(EncoderUnavailable):
        _Reader(raw, 0).int()


def test_the_network_read_from_the_model_file() -> None:
    net = read_network(MODEL)
    # dlib's input layer's channel means (input_rgb_image: 122.782, 117.001, 104.298)
    assert np.allclose(net.mean, [122.782, 117.001, 104.298], atol=1e-3)
    assert len(net.convs) == 29
    assert net.convs[0].weight.shape == (32, 3, 7, 7)
    assert net.fc.shape == (256, 128)


@pytest.mark.parametrize("other", ["shape_predictor_5_face_landmarks.dat", None])
def test_a_file_that_is_not_the_network_is_refused(other: str | None, tmp_path: Path) -> None:
    if other is None:  # the right file, cut short
        path = tmp_path / "cut.dat"
        path.write_bytes(MODEL.read_bytes()[:5_000_000])
    else:
        path = _models_dir() / other
    with pytest.raises(EncoderUnavailable):
        read_network(path)


def _faces(models: FaceModels) -> list[Candidate]:
    candidates = []
    for name in ("obama_and_biden.jpg", "kit_with_rose.jpg", "two_people.jpg"):
        candidates += models.detect(load_image(PHOTOS / name, 1600))
    return candidates


@pytest.mark.skipif(not PHOTOS.is_dir(), reason="shared/testdata is not here")
def test_onnx_encodings_are_dlibs_on_real_faces() -> None:
    import dlib

    models = FaceModels()
    candidates = _faces(models)
    assert len(candidates) >= 6
    ours = models.encode(candidates)
    theirs = dlib.face_recognition_model_v1(str(MODEL))
    for c, mine in zip(candidates, ours, strict=True):
        shape = models.landmarks(c.pixels, c.rect)
        ref = np.array(theirs.compute_face_descriptor(c.pixels, shape, 1))
        assert np.abs(ref - np.array(mine)).max() < 1e-5
    # One at a time or all at once: the same numbers.
    assert np.allclose(models.encode(candidates[:1])[0], ours[0], atol=1e-6)


@pytest.mark.skipif(not PHOTOS.is_dir(), reason="shared/testdata is not here")
def test_dlibs_encoder_is_kept_when_the_network_cannot_be_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fast = FaceModels()
    candidates = _faces(fast)
    expected = fast.encode(candidates)

    def refuse(path: Path) -> enc.Network:
        raise EncoderUnavailable("not the network")

    monkeypatch.setattr(enc, "read_network", refuse)
    slow = FaceModels()
    got = slow.encode(candidates)
    assert slow._encoder is None and slow._dlib_encoder is not None
    assert np.abs(np.array(got) - np.array(expected)).max() < 1e-5
