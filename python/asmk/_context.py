"""Contexts: an open kernel repository, a device and a backend (asmk_open)."""

import os

from . import _asmk
from ._error import Error

# The device a host-tensor (emulator) context describes unless told otherwise: gfx942, e4m3fnuz.
DEFAULT_EMU_DEVICE = "MI300X"


def default_repository():
    """$ASMK_REPO, else the kernels installed with libasmk (<prefix>/share/asmk, found from the
    library's location; build/share/asmk in a build tree), else None."""
    return _asmk.default_repository()


class Context:
    """One asmk context. Ops take it as `context=`; without one they use the module's default.

    repo:    the kernel repository (the folder holding <arch>/manifest.json); None = default_repository()
    device:  a product name ("MI300X", "MI355X", ...); for emu/record None = $ASMK_EMU_DEVICE or MI300X;
             for hip/hsa None = the GPU's own
    backend: "emu", "hip", "hsa", "auto", "record"; None = $ASMK_BACKEND, else "emu"
    device_index: the GPU ordinal for hip/hsa (-1 = the current device)
    """

    def __init__(self, repo=None, device=None, backend=None, device_index=-1, arch=None, compute_units=0,
                 verify_sha256=False):
        repo = repo or default_repository()
        if repo is None:
            raise Error("ASMK_ERROR_BAD_REPOSITORY", 2,
                        "no kernel repository: pass repo=, set $ASMK_REPO, or install asmk's kernels "
                        "(cmake --install puts them in <prefix>/share/asmk, next to lib/libasmk.so)")
        backend = backend or os.environ.get("ASMK_BACKEND") or "emu"
        if device is None and arch is None and backend in ("emu", "record"):
            device = os.environ.get("ASMK_EMU_DEVICE") or DEFAULT_EMU_DEVICE
        self.repo = repo
        self.device_index = device_index
        self._native = _asmk.Context(repo, device, arch, compute_units, backend, device_index, verify_sha256)
        self._op_specs = None

    @property
    def op_specs(self):
        """{op: [(name, kind, dtype, values, default, output, optional, workspace), ...]}: every op the
        repository declares with its arguments (read once per context)."""
        if self._op_specs is None:
            self._op_specs = self._native.ops()
        return self._op_specs

    @property
    def backend(self):
        return self._native.backend

    @property
    def on_gpu(self):
        return self.backend in ("hip", "hsa")

    @property
    def backend_note(self):
        return self._native.backend_note

    @property
    def device(self):
        """The device as a dict: name, arch, compute_units, lds_bytes_per_cu, wavefront_size, fp8_format."""
        return self._native.device

    @property
    def fp8_format(self):
        return self.device["fp8_format"]

    def close(self):
        self._native.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"asmk.Context(repo={self.repo!r}, backend={self.backend!r}, device={self.device['name']!r})"


# The module's default contexts: "host" (emulator, for CPU tensors) and ("gpu", ordinal or None).
_defaults = {}


def open(repo=None, device=None, backend=None, **options):  # noqa: A001 (asmk.open, like asmk_open)
    """Opens a context and makes it the module's default for the tensors it runs
    (host tensors for emu/record, GPU tensors for hip/hsa). Returns it."""
    context = Context(repo=repo, device=device, backend=backend, **options)
    if context.on_gpu:
        index = context.device_index
        _defaults[("gpu", None if index < 0 else index)] = context
    else:
        _defaults["host"] = context
    return context


def context_for(on_gpu, device_id=0):
    """The default context for a host tensor, or a GPU tensor on device `device_id` (opened on first use:
    emu for host tensors, hip on that device for GPU tensors)."""
    if not on_gpu:
        if "host" not in _defaults:
            _defaults["host"] = Context()
        return _defaults["host"]
    context = _defaults.get(("gpu", device_id)) or _defaults.get(("gpu", None))
    if context is None:
        context = _defaults[("gpu", device_id)] = Context(backend="hip", device_index=device_id)
    return context
