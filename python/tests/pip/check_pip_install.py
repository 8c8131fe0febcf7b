"""`pip install --no-build-isolation` of the package into a fresh virtual environment, offline
(--no-index: Debian's numpy and setuptools come through --system-site-packages), then the
installed package run from the venv with no ASMK_REPO and no PYTHONPATH.

The package sources are copied to a temporary tree first so that pip's in-tree build leaves
nothing in the source tree. Not collected by pytest (run by the ctest python.pip_install).
usage: check_pip_install.py --python PYTHON --source SOURCE_DIR --build BUILD_DIR"""

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

CHECK = """
import numpy as np, asmk
assert asmk.__file__.startswith(sys.argv[1]), asmk.__file__
x = np.linspace(-3, 3, 2 * 256, dtype=np.float16).reshape(2, 256)
y, scale = asmk.quant_fp8(x)
np.testing.assert_allclose(scale.reshape(-1), np.abs(x.astype(np.float64)).max(axis=1) / 240, rtol=1e-6)
import asmk.torch  # every module of the package was installed (the helpers live in asmk/_torch_*.py)
assert "fused_moe" in asmk.torch.CUSTOM_OP_NAMES and asmk.torch.__file__.startswith(sys.argv[1])
print("pip-installed asmk", asmk.__version__, "at", asmk.__file__, "repository", asmk.default_repository())
"""


def run(command, **kwargs):
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"FAILED ({result.returncode}): {' '.join(map(str, command))}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", required=True)
    parser.add_argument("--source", required=True, type=pathlib.Path)
    parser.add_argument("--build", required=True, type=pathlib.Path)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASMK_") and k != "PYTHONPATH"}

    with tempfile.TemporaryDirectory(prefix="asmk-pip-") as temp:
        temp = pathlib.Path(temp)
        tree = temp / "src"
        shutil.copytree(args.source / "python", tree / "python", ignore=shutil.ignore_patterns("tests", "__pycache__"))
        shutil.copytree(args.source / "loader" / "include", tree / "loader" / "include")
        venv = temp / "venv"
        run([args.python, "-m", "venv", "--system-site-packages", venv])
        run([venv / "bin/pip", "install", "--no-build-isolation", "--no-index", "--no-cache-dir", tree / "python"],
            env={**env, "ASMK_BUILD_DIR": str(args.build)})
        # From the temporary folder: python -c puts the working folder first on sys.path.
        print(run([venv / "bin/python", "-c", "import sys" + CHECK, venv], env=env, cwd=temp), end="")


if __name__ == "__main__":
    main()
