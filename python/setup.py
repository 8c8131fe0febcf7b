"""pip install --no-build-isolation ./python — the asmk package against an asmk build of this tree.

The extension is compiled against ../loader/include/asmk.h and linked to libasmk of the build in
$ASMK_BUILD_DIR (default ../build: configure and build asmk first), with an rpath to it; the
package's default kernel repository is that libasmk's (build/share/asmk, which links to the source
tree's hsaco/; $ASMK_REPO overrides). The CMake build (python/CMakeLists.txt) builds the same
package into build/python without pip, and `cmake --install` installs a relocatable copy.
"""

import os
import pathlib

from setuptools import Extension, setup

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD = pathlib.Path(os.environ.get("ASMK_BUILD_DIR", ROOT / "build")).resolve()
LIBRARY_DIR = BUILD / "loader"

if not any(LIBRARY_DIR.glob("libasmk.so*")):
    raise SystemExit(f"asmk: no libasmk.so in {LIBRARY_DIR}; build asmk first "
                     "(cmake -S . -B build -G Ninja && cmake --build build) or set ASMK_BUILD_DIR")


setup(
    name="asmk",
    version="0.1.0",
    description="AMD Instinct assembly kernels for DLPack tensors (NumPy, PyTorch, JAX, CuPy)",
    packages=["asmk"],
    package_dir={"asmk": str(HERE / "asmk")},
    ext_modules=[Extension(
        "asmk._asmk",
        sources=[str(p) for p in sorted((HERE / "src").glob("*.cpp"))],
        include_dirs=[str(ROOT / "loader" / "include"), "/usr/include"],
        library_dirs=[str(LIBRARY_DIR)],
        runtime_library_dirs=[str(LIBRARY_DIR)],
        libraries=["asmk"],
        extra_compile_args=["-std=c++20", "-fvisibility=hidden", "-g0"],   # no debug info: a third less compile time
        language="c++",
    )],
    install_requires=["numpy>=1.22"],
    python_requires=">=3.9",
)
