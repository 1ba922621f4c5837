"""dlib's face encoder (the ResNet of `dlib_face_recognition_resnet_model_v1.dat`) run
on onnxruntime: the same weights, the same 128 numbers to within float rounding, ~8x
faster here.

The dlib wheels smcheck can install (`dlib-bin`) are built without BLAS or AVX, so
dlib's own forward pass took ~70 ms a face on a 2-core machine with AVX-512; the
encoder was 45 % of a photo folder's CPU. onnxruntime, which MTCNN and OCR already
use, runs the same network with vectorised kernels and a batch of faces at once.

The network is read from the model file smcheck already loads, never downloaded
nor written anywhere: dlib serialises each layer with its name ("con_4", "affine_",
"fc_2") and its parameters as little-endian float32, bottom layer first. The graph
(dlib's `anet_type`, examples/dnn_face_recognition_ex.cpp) is fixed here, and every
layer read is checked against it: a file of another shape raises EncoderUnavailable
and smcheck keeps dlib's own encoder. Each `affine_` (batch norm frozen into a scale
and shift) is folded into the convolution below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from smcheck.extract.onnx import session

# dlib's face chip, what the network was trained on: 150 x 150 pixels, with 25 % padding
# around the five landmarks (dlib.get_face_chip's arguments).
CHIP = 150
CHIP_PADDING = 0.25


class EncoderUnavailable(Exception):
    pass


# ---- reading dlib's serialisation --------------------------------------------------


class _Reader:
    def __init__(self, data: bytes, pos: int) -> None:
        self.data = data
        self.pos = pos

    def int(self) -> int:
        # dlib's packed integer: a byte holding the length (and 0x80 when negative),
        # then that many little-endian bytes.
        head = self.data[self.pos]
        size, negative = head & 0x0F, bool(head & 0x80)
        if not 1 <= size <= 8:
            raise EncoderUnavailable(f"unexpected integer header {head:#x} at {self.pos}")
        value = int.from_bytes(self.data[self.pos + 1:self.pos + 1 + size], "little")
        self.pos += 1 + size
        return -value if negative else value

    def float(self) -> float:
        # dlib's portable float: a packed mantissa and a packed exponent.
        mantissa = self.int()
        exponent = self.int()
        return float(mantissa * 2.0 ** exponent)

    def tensor(self) -> np.ndarray:
        if self.int() != 2:
            raise EncoderUnavailable(f"unexpected tensor version at {self.pos}")
        shape = tuple(self.int() for _ in range(4))
        count = int(np.prod(shape))
        end = self.pos + 4 * count
        if end > len(self.data):
            raise EncoderUnavailable("the model file ends inside a tensor")
        values = np.frombuffer(self.data, dtype="<f4", count=count, offset=self.pos)
        self.pos = end
        return values.astype(np.float32)


def _name(text: str) -> bytes:
    # A serialised std::string: its packed length, then its bytes.
    return bytes([1, len(text)]) + text.encode()


def _all(data: bytes, name: str) -> list[int]:
    """Where each layer of this kind starts its parameters, in file order."""
    tag = _name(name)
    out, at = [], data.find(tag)
    while at >= 0:
        out.append(at + len(tag))
        at = data.find(tag, at + 1)
    return out


@dataclass(frozen=True)
class _Conv:
    weight: np.ndarray  # (out, in, rows, cols)
    bias: np.ndarray
    stride: int
    pad: int


def _read_convs(data: bytes) -> list[_Conv]:
    convs = []
    for at in _all(data, "con_4"):
        r = _Reader(data, at)
        params = r.tensor()
        filters, rows, cols, stride_y, stride_x, pad_y, pad_x = (r.int() for _ in range(7))
        if rows != cols or stride_y != stride_x or pad_y != pad_x:
            raise EncoderUnavailable("a non-square convolution")
        per_filter = params.size // filters - 1  # weights, then one bias per filter
        channels = per_filter // (rows * cols)
        if channels * rows * cols * filters + filters != params.size:
            raise EncoderUnavailable("a convolution's parameters do not fit its shape")
        weight = params[:filters * per_filter].reshape(filters, channels, rows, cols)
        convs.append(_Conv(weight, params[filters * per_filter:], stride_y, pad_y))
    return convs


def _read_affines(data: bytes) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for at in _all(data, "affine_"):
        params = _Reader(data, at).tensor()
        half = params.size // 2
        out.append((params[:half], params[half:]))  # gamma, then beta
    return out


# ---- the network -------------------------------------------------------------------

# dlib's anet_type, bottom to top: a 7x7/2 convolution of 32, a 3x3/2 max pool, then
# residual blocks of (filters, downsampling), then a global average and 128 outputs.
BLOCKS = ((32, False),) * 3 + ((64, True),) + ((64, False),) * 3 + ((128, True),) \
    + ((128, False),) * 2 + ((256, True),) + ((256, False),) * 2 + ((256, True),)


@dataclass(frozen=True)
class Network:
    mean: np.ndarray  # per RGB channel, subtracted before dividing by 256
    convs: tuple[_Conv, ...]  # affine folded in; the stem's, then two per block
    fc: np.ndarray  # (256, 128)


def read_network(path: Path) -> Network:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EncoderUnavailable(f"cannot read the face encoder ({exc.strerror})") from None
    inputs = _all(data, "input_rgb_image_sized")
    fcs = _all(data, "fc_2")
    convs = _read_convs(data)
    affines = _read_affines(data)
    if len(inputs) != 1 or len(fcs) != 1 or len(convs) != 1 + 2 * len(BLOCKS) \
            or len(affines) != len(convs):
        raise EncoderUnavailable("the face encoder's file is not the network smcheck knows")
    r = _Reader(data, inputs[0])
    mean = np.array([r.float(), r.float(), r.float()], dtype=np.float32)
    folded = []
    for conv, (gamma, beta) in zip(convs, affines, strict=True):
        if gamma.size != conv.weight.shape[0]:
            raise EncoderUnavailable("an affine layer does not fit its convolution")
        folded.append(_Conv(conv.weight * gamma[:, None, None, None],
                            conv.bias * gamma + beta, conv.stride, conv.pad))
    _check_shapes(folded)
    r = _Reader(data, fcs[0])
    outputs, inputs_n = r.int(), r.int()
    fc = r.tensor()
    if fc.size != outputs * inputs_n:
        raise EncoderUnavailable("the face encoder's last layer does not fit its shape")
    return Network(mean=mean, convs=tuple(folded), fc=fc.reshape(inputs_n, outputs))


def _check_shapes(convs: list[_Conv]) -> None:
    expect = [(32, 3, 7, 2, 0)]
    channels = 32
    for filters, down in BLOCKS:
        expect.append((filters, channels, 3, 2 if down else 1, 0 if down else 1))
        expect.append((filters, filters, 3, 1, 1))
        channels = filters
    got = [(c.weight.shape[0], c.weight.shape[1], c.weight.shape[2], c.stride, c.pad)
           for c in convs]
    if got != expect:
        raise EncoderUnavailable("the face encoder's layers are not the network smcheck knows")


def _side(side: int, kernel: int, stride: int, pad: int = 0) -> int:
    return 1 + (side + 2 * pad - kernel) // stride


# ---- the ONNX graph, written as protobuf by hand (the `onnx` package is not needed) --


def _varint(n: int) -> bytes:
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, value: bytes | str | int) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    raw = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(raw)) + raw


def _tensor(name: str, array: np.ndarray) -> bytes:
    is_int = array.dtype == np.int64
    raw = array.astype("<i8" if is_int else "<f4").tobytes()
    return b"".join(_field(1, d) for d in array.shape) + _field(2, 7 if is_int else 1) \
        + _field(8, name) + _field(9, raw)


def _attr(name: str, value: int | list[int]) -> bytes:
    if isinstance(value, int):
        return _field(1, name) + _field(3, value) + _field(20, 2)
    return _field(1, name) + b"".join(_field(8, v) for v in value) + _field(20, 7)


def _node(op: str, inputs: list[str], output: str, **attrs: int | list[int]) -> bytes:
    body = b"".join(_field(1, i) for i in inputs) + _field(2, output) + _field(4, op)
    body += b"".join(_field(5, _attr(k, v)) for k, v in attrs.items())
    return _field(1, body)


def _value(name: str, dims: list[int | str]) -> bytes:
    shape = b"".join(_field(1, _field(2, d) if isinstance(d, str) else _field(1, d))
                     for d in dims)
    tensor_type = _field(1, 1) + _field(2, shape)
    return _field(1, name) + _field(2, _field(1, tensor_type))


def onnx_model(net: Network) -> bytes:
    """The network as an ONNX model (opset 13): input "chips" (N, 3, 150, 150), already
    centred and scaled; output "encoding" (N, 128)."""
    nodes: list[bytes] = []
    inits: list[bytes] = []
    count = 0

    def conv(x: str, c: _Conv, relu: bool) -> str:
        nonlocal count
        count += 1
        w, b, y = f"w{count}", f"b{count}", f"c{count}"
        inits.append(_field(5, _tensor(w, c.weight)))
        inits.append(_field(5, _tensor(b, c.bias)))
        k = c.weight.shape[2]
        nodes.append(_node("Conv", [x, w, b], y, kernel_shape=[k, k],
                           strides=[c.stride, c.stride], pads=[c.pad] * 4))
        if relu:
            nodes.append(_node("Relu", [y], y + "r"))
            return y + "r"
        return y

    def pad(x: str, have: tuple[int, int, int], want: tuple[int, int, int]) -> str:
        # dlib adds tensors of different sizes by padding the smaller with zeros at the
        # end of each axis (more channels, more rows, more columns).
        if have == want:
            return x
        nonlocal count
        count += 1
        p, y = f"p{count}", f"padded{count}"
        ends = [0] + [w - h for h, w in zip(have, want, strict=True)]
        inits.append(_field(5, _tensor(p, np.array([0, 0, 0, 0, *ends], dtype=np.int64))))
        nodes.append(_node("Pad", [x, p], y))
        return y

    convs = iter(net.convs)
    x = conv("chips", next(convs), relu=True)
    side = _side(CHIP, 7, 2)
    nodes.append(_node("MaxPool", [x], "pool", kernel_shape=[3, 3], strides=[2, 2]))
    x, side, channels = "pool", _side(side, 3, 2), 32
    for i, (filters, down) in enumerate(BLOCKS):
        a = conv(x, next(convs), relu=True)
        b = conv(a, next(convs), relu=False)
        if down:
            branch = _side(side, 3, 2)
            nodes.append(_node("AveragePool", [x], f"avg{i}", kernel_shape=[2, 2],
                               strides=[2, 2]))
            short = _side(side, 2, 2)
            new = max(branch, short)
            b = pad(b, (filters, branch, branch), (filters, new, new))
            skip = pad(f"avg{i}", (channels, short, short), (filters, new, new))
            side = new
        else:
            skip = x
        nodes.append(_node("Add", [b, skip], f"sum{i}"))
        nodes.append(_node("Relu", [f"sum{i}"], f"out{i}"))
        x, channels = f"out{i}", filters
    nodes.append(_node("GlobalAveragePool", [x], "gap"))
    nodes.append(_node("Flatten", ["gap"], "flat"))
    inits.append(_field(5, _tensor("fc", net.fc)))
    nodes.append(_node("MatMul", ["flat", "fc"], "encoding"))
    graph = b"".join(nodes) + _field(2, "dlib_resnet_v1") + b"".join(inits) \
        + _field(11, _value("chips", ["n", 3, CHIP, CHIP])) \
        + _field(12, _value("encoding", ["n", 128]))
    opset = _field(1, "") + _field(2, 13)
    return _field(1, 7) + _field(2, "smcheck") + _field(7, graph) + _field(8, opset)


class Encoder:
    """Face chips (150 x 150 RGB, as dlib cuts them) to dlib's 128-number encodings."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        net = read_network(path)
        try:
            self.session = session(onnx_model(net), threads)
        except Exception as exc:  # onnxruntime raises its own types
            raise EncoderUnavailable(f"the face encoder failed to load ({exc})") from None
        # dlib's input layer: (pixel - channel mean) / 256, channels first.
        self.mean = net.mean.reshape(1, 3, 1, 1)

    def encode(self, chips: list[Any]) -> list[tuple[float, ...]]:
        if not chips:
            return []
        batch = np.stack([np.asarray(c, dtype=np.float32) for c in chips]).transpose(0, 3, 1, 2)
        batch = (batch - self.mean) * np.float32(1 / 256)
        out = self.session.run(["encoding"], {"chips": np.ascontiguousarray(batch)})[0]
        return [tuple(float(x) for x in row) for row in out.astype(np.float64)]

