import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # fp8_reference

import asmk  # noqa: E402

# (device, fp8 format): gfx942 and gfx950 when the repository holds them.
DEVICES = [("MI300X", "e4m3fnuz"), ("MI355X", "e4m3fn")]


@pytest.fixture(scope="session", params=DEVICES, ids=[d for d, _ in DEVICES])
def emu(request):
    device, fmt = request.param
    context = asmk.Context(device=device, backend="emu")
    assert context.fp8_format == fmt
    yield context
    context.close()
