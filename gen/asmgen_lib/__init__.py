"""asmgen: expands kernel-family templates into variants and builds them into code objects.

One module per purpose:
  errors      the error types every stage raises (each names the file it is about)
  archs       the architectures asmgen targets and their fixed facts
  space       loading and validating templates/<family>/space.yaml
  expand      axes x per-arch availability x constraints -> variants with names
  kernargs    kernel-argument layout (offsets, sizes, alignment, value kinds) and args.load
  sourcemap   line markers: generated assembly line -> template file:line
  registers   register operands and the scoped allocator templates name registers with (S/V/A)
  mfma        MFMA facts (shapes, registers, accumulator layout) from the emulator's table
  schedule    interleave (MFMAs and memory items), emit, unique labels
  render      Jinja2 rendering of one variant's code
  regusage    which registers the rendered code uses
  wrapper     the .amdhsa_kernel descriptor and .amdgpu_metadata around the code; a code object's source
  grouping    which kernels share a code object, and a group's cache key
  toolchain   llvm-mc / ld.lld / llvm-readelf / llvm-objdump invocation
  resources   resources read back from a code object's metadata note
  manifest    hsaco/<arch>/manifest.json
  cache       the per-arch incremental-build cache
  build       the build of a set of variants (parallel), with progress and summary
  cli         the command line: build, list, show, clean
"""

VERSION = "2"   # bump to invalidate every incremental cache when asmgen's output changes
