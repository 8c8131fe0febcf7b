"""DLPack plumbing: a tensor's device and stream, its capsule, and new tensors of its framework.

Any object with __dlpack__ / __dlpack_device__ is accepted (NumPy >= 1.22, PyTorch, JAX, CuPy).
Outputs are allocated in the input's framework: NumPy, PyTorch or CuPy; other frameworks (JAX
arrays are immutable) get NumPy outputs on the host and must pass outputs on a GPU.
"""

import sys

import numpy as np

from ._error import Error

_KDL_CPU, _KDL_CUDA, _KDL_CUDA_HOST, _KDL_ROCM, _KDL_ROCM_HOST = 1, 2, 3, 10, 11


def _torch():
    return sys.modules.get("torch")


def is_torch(t):
    torch = _torch()
    return torch is not None and isinstance(t, torch.Tensor)


def is_cupy(t):
    return type(t).__module__.split(".")[0] == "cupy"


def device_of(t, role):
    """(on_gpu, device_id) of a DLPack tensor; asmk.Error for anything else."""
    if not hasattr(t, "__dlpack_device__") or not hasattr(t, "__dlpack__"):
        raise Error("ASMK_ERROR_INVALID_ARGUMENT", 1,
                    f"{role}: a {type(t).__name__} is not a DLPack tensor (no __dlpack__/__dlpack_device__)")
    device_type, device_id = t.__dlpack_device__()
    device_type = int(device_type)
    if device_type in (_KDL_CUDA, _KDL_ROCM):
        return True, int(device_id)
    if device_type in (_KDL_CPU, _KDL_CUDA_HOST, _KDL_ROCM_HOST):
        return False, 0
    raise Error("ASMK_ERROR_INVALID_ARGUMENT", 1, f"{role}: DLPack device type {device_type} is neither host nor GPU")


def framework_stream(t, on_gpu):
    """The stream asmk launches on: the framework's current stream for a GPU tensor (PyTorch's
    torch.cuda.current_stream().cuda_stream, CuPy's current stream), 0 (the null stream) otherwise."""
    if not on_gpu:
        return 0
    if is_torch(t):
        return int(_torch().cuda.current_stream(t.device).cuda_stream)
    if is_cupy(t):
        import cupy  # noqa: PLC0415 (only when CuPy tensors are passed)
        return int(cupy.cuda.get_current_stream().ptr)
    return 0


def capsule(t, stream, output=False):
    """t's DLPack capsule. fp8 torch tensors travel as uint8 (DLPack 0.6 has no fp8 codes);
    read-only NumPy inputs (which NumPy refuses to export) as a copy; read-only outputs are refused."""
    if t is None:
        return None
    if is_torch(t):
        torch = _torch()
        t = t.detach()
        if t.element_size() == 1 and t.dtype not in (torch.uint8, torch.int8, torch.bool):
            t = t.view(torch.uint8)
        return torch.utils.dlpack.to_dlpack(t)
    if isinstance(t, np.ndarray):
        if not t.flags.writeable:
            if output:
                raise Error("ASMK_ERROR_INVALID_ARGUMENT", 1, "an output NumPy array is read-only")
            t = t.copy()
        return t.__dlpack__()
    if stream:
        return t.__dlpack__(stream=stream)
    return t.__dlpack__()


# Element kinds of outputs: "u8" (bytes), "fp8" (8-bit fp8 bits), "f32", "bf16", "fp16".
_NUMPY = {"u8": np.uint8, "fp8": np.uint8, "f32": np.float32, "bf16": np.uint16, "fp16": np.float16}


def torch_dtype(kind, fp8_format):
    torch = _torch()
    if kind == "fp8":
        name = {"e4m3fnuz": "float8_e4m3fnuz", "e4m3fn": "float8_e4m3fn"}.get(fp8_format)
        return getattr(torch, name, torch.uint8) if name else torch.uint8
    return {"u8": torch.uint8, "f32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[kind]


def empty_like_framework(like, shape, kind, fp8_format, on_gpu):
    """A new uninitialized tensor of `shape` in `like`'s framework and device. NumPy holds bf16 as
    uint16 bit patterns and fp8 as uint8; PyTorch uses its float8 dtype when it has the device's."""
    if is_torch(like):
        return _torch().empty(shape, dtype=torch_dtype(kind, fp8_format), device=like.device)
    if is_cupy(like):
        import cupy  # noqa: PLC0415
        with cupy.cuda.Device(like.device.id):
            return cupy.empty(shape, dtype=_NUMPY[kind])
    if on_gpu:
        raise Error("ASMK_ERROR_INVALID_ARGUMENT", 1,
                    f"cannot allocate outputs for a GPU {type(like).__name__}: pass them (out=...)")
    return np.empty(shape, dtype=_NUMPY[kind])


def raw16_name(t, name):
    """The dtype name to give the binding for a 16-bit tensor: `name` for raw integer bit patterns
    (NumPy's bf16), else None (the tensor's own dtype decides)."""
    if isinstance(t, np.ndarray) and t.dtype in (np.uint16, np.int16):
        return name
    return None
