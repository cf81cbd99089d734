"""Plain-data encoding of what a student's function returned.

Student code runs in a child process. What crosses back to the grader is JSON built
from primitives that the child captured *before* the student's module was imported,
so a monkeypatched ``torch`` in the submission cannot change how a result is
described. The grader rebuilds real tensors from raw bytes with its own torch and
never unpickles anything the child produced.
"""
from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from typing import Any

import torch

# Captured at import time, i.e. before any submission is imported in the child.
_type = type
_isinstance = isinstance
_Tensor = torch.Tensor
_Parameter = torch.nn.Parameter
_detach = torch.Tensor.detach
_cpu = torch.Tensor.cpu
_contiguous = torch.Tensor.contiguous
_reshape = torch.Tensor.reshape
_view = torch.Tensor.view
_numpy = torch.Tensor.numpy
_size = torch.Tensor.size
_numel = torch.Tensor.numel
_element_size = torch.Tensor.element_size

# The most a call's answer may be, encoded (the zygote stops reading beyond it).
MAX_RESULT_BYTES = 64 * 1024 * 1024


class ResultTooLarge(Exception):
    """A tensor whose encoding alone is past MAX_RESULT_BYTES: said at once, before the
    seconds its copy, base64 and JSON would take (and the wall-time limit they could hit)."""
_b64 = base64.b64encode
_json_dumps = json.dumps
_str = str
_repr = repr
_len = len
_list = list
_sorted = sorted
_getattr_static = object.__getattribute__


def _tensor_attr(t: torch.Tensor, name: str):
    # Read through the base class so a subclass cannot override the answer.
    return torch._C.TensorBase.__dict__[name].__get__(t)


_TENSOR_FIELDS = ("dtype", "device", "requires_grad", "is_leaf", "grad_fn", "grad")


def encode(obj: Any, depth: int = 0) -> Any:
    """Turn a returned value into JSON-able plain data (runs in the child)."""
    if depth > 20:
        return {"__object__": "too deeply nested", "repr": ""}
    if obj is None or _type(obj) in (bool, int, str):
        return obj
    if _type(obj) is float:
        return obj if math.isfinite(obj) else {"__float__": _repr(obj)}
    if issubclass(_type(obj), _Tensor):  # isinstance would believe a faked __class__
        return {"__tensor__": encode_tensor(obj, depth)}
    if _type(obj) in (list, tuple):
        tag = "__list__" if _type(obj) is list else "__tuple__"
        return {tag: [encode(item, depth + 1) for item in obj]}
    if _isinstance(obj, tuple) and hasattr(_type(obj), "_fields"):
        cls = _type(obj)
        return {"__namedtuple__": f"{cls.__module__}.{cls.__qualname__}",
                "fields": _list(cls._fields),
                "items": [encode(item, depth + 1) for item in tuple.__iter__(obj)]}
    if _type(obj) is dict:
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in dict.items(obj)]}
    if _isinstance(obj, torch.dtype):
        return {"__dtype__": _str(obj)}
    if _isinstance(obj, torch.device):
        return {"__device__": _str(obj)}
    cls = _type(obj)
    try:
        text = _repr(obj)[:200]
    except BaseException:  # a hostile __repr__ must not break the description
        text = "<repr failed>"
    return {"__object__": f"{cls.__module__}.{cls.__qualname__}", "repr": text}


def encode_tensor(t: torch.Tensor, depth: int = 0) -> dict:
    cls = _type(t)
    # A subclass can set its own __module__ and __qualname__; only identity is trusted.
    if cls is _Tensor:
        type_name = "torch.Tensor"
    elif cls is _Parameter:
        type_name = "torch.nn.parameter.Parameter"
    else:
        type_name = f"subclass {cls.__module__}.{cls.__qualname__}"
    grad_fn = _tensor_attr(t, "grad_fn")
    grad = _tensor_attr(t, "grad") if _tensor_attr(t, "is_leaf") else None
    on_meta = _str(_tensor_attr(t, "device")) == "meta"
    if not on_meta and _numel(t) * _element_size(t) * 4 // 3 > MAX_RESULT_BYTES:  # base64: 4 bytes for 3
        raise ResultTooLarge()
    # A meta tensor has a shape but no values: describe it without data.
    flat = None if on_meta else _reshape(_contiguous(_cpu(_detach(t))), (-1,))
    # Complex and bool tensors can't always be viewed as bytes; fall back to a copy.
    try:
        raw = b"" if on_meta else _numpy(_view(flat, torch.uint8)).tobytes()
    except Exception:
        raw = _numpy(flat.to(torch.float64)).tobytes()
        dtype_wire = "torch.float64"
    else:
        dtype_wire = _str(_tensor_attr(t, "dtype"))
    return {
        "type": type_name,
        "dtype": _str(_tensor_attr(t, "dtype")),
        "wire_dtype": dtype_wire,
        "shape": _list(_size(t)),
        "device": _str(_tensor_attr(t, "device")),
        "requires_grad": bool(_tensor_attr(t, "requires_grad")),
        "is_leaf": bool(_tensor_attr(t, "is_leaf")),
        "grad_fn": None if grad_fn is None else _type(grad_fn).__name__,
        "grad": None if grad is None or depth > 0 and grad is t else encode_tensor(grad, depth + 1),
        "data": _b64(raw).decode("ascii"),
        "no_data": on_meta,
    }


# ----------------------------------------------------------------- grader side


@dataclass(frozen=True)
class TensorResult:
    """A tensor as the student's code produced it, rebuilt by the grader.

    ``value`` is a plain CPU ``torch.Tensor`` built by the grader from raw bytes.
    The other fields describe the original (its class, device, autograd state).
    """

    value: torch.Tensor
    type_name: str
    dtype: torch.dtype
    device: str
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None
    grad: "TensorResult | None" = None

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.shape)

    @property
    def is_plain_tensor(self) -> bool:
        return self.type_name in ("torch.Tensor", "torch.nn.parameter.Parameter")


@dataclass(frozen=True)
class Opaque:
    """Something that is not plain data (an object the grader will not trust)."""

    type_name: str
    text: str = ""

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.text}>"


_DTYPES = {str(d): d for d in (
    torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64,
    torch.complex128, torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64, torch.bool)}


class WireError(ValueError):
    """The child sent something that is not a valid description."""


def _decode_tensor(d: dict) -> TensorResult:
    try:
        dtype = _DTYPES[d["dtype"]]
        wire_dtype = _DTYPES[d["wire_dtype"]]
        shape = [int(s) for s in d["shape"]]
        raw = bytearray(base64.b64decode(d["data"], validate=True))
        numel = math.prod(shape)
        itemsize = torch.empty((), dtype=wire_dtype).element_size()
        if d.get("no_data") is True and not raw:
            value = torch.full(shape, float("nan")).to(dtype)  # values unknown (a meta tensor)
        elif len(raw) != numel * itemsize:
            raise WireError("tensor data does not match its shape")
        else:
            flat = torch.frombuffer(raw, dtype=torch.uint8) if raw else torch.empty(0, dtype=torch.uint8)
            value = flat.view(wire_dtype).reshape(shape).to(dtype)
        grad = None if d.get("grad") is None else _decode_tensor(d["grad"])
        return TensorResult(value=value, type_name=str(d["type"]), dtype=dtype,
                            device=str(d["device"]), requires_grad=bool(d["requires_grad"]),
                            is_leaf=bool(d["is_leaf"]),
                            grad_fn=None if d["grad_fn"] is None else str(d["grad_fn"]), grad=grad)
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise WireError(f"malformed tensor description: {exc}") from None


def decode(data: Any) -> Any:
    """Rebuild a value from :func:`encode`'s output (runs in the grader)."""
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:  # bare lists never come from encode; be strict
        raise WireError("unexpected bare list")
    if type(data) is not dict or len(data) == 0:
        raise WireError(f"unexpected {type(data).__name__}")
    if "__tensor__" in data:
        return _decode_tensor(data["__tensor__"])
    if "__list__" in data:
        return [decode(x) for x in data["__list__"]]
    if "__tuple__" in data:
        return tuple(decode(x) for x in data["__tuple__"])
    if "__namedtuple__" in data:
        return NamedTupleResult(str(data["__namedtuple__"]), tuple(str(f) for f in data["fields"]),
                                tuple(decode(x) for x in data["items"]))
    if "__dict__" in data:
        out = {}
        for k, v in data["__dict__"]:
            key = decode(k)
            try:
                out[key] = decode(v)
            except TypeError:
                raise WireError("unhashable dict key") from None
        return out
    if "__float__" in data:
        return float(data["__float__"])
    if "__dtype__" in data:
        return _DTYPES.get(data["__dtype__"], Opaque("torch.dtype", data["__dtype__"]))
    if "__device__" in data:
        return torch.device(str(data["__device__"]))
    if "__object__" in data:
        return Opaque(str(data["__object__"]), str(data.get("repr", "")))
    raise WireError(f"unknown tag {sorted(data)[:3]}")


@dataclass(frozen=True)
class NamedTupleResult:
    type_name: str
    fields: tuple[str, ...]
    items: tuple[Any, ...] = field(default_factory=tuple)


def dumps(obj: Any) -> str:
    return _json_dumps(obj, allow_nan=False)


def loads(text: str | bytes) -> Any:
    return json.loads(text)
