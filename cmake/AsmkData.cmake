# The data libasmk and the CLI read at run time, in one folder, <prefix>/share/asmk:
#   <arch>/manifest.json, <arch>/<family>/*.co   the kernel repository (asmgen's output, hsaco/)
#   tuned/<arch>-<cus>.csv                        tuned tables (perf/tuned)
#   machines/*.json, presets/*.csv               machine models and sweep shapes (perf/)
# libasmk finds it relative to its own file (loader/src/library_location.hpp), the CLI relative to
# the program, so an installed tree can be moved and holds no path of the build machine.
#
# The build tree mirrors the layout: build/share/asmk holds symbolic links to the source tree's
# hsaco/<arch> folders and perf/ folders, so build/loader/libasmk.so and build/tools/asmk find their
# data the same way (and `asmk tune` still writes perf/tuned).

set(ASMK_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/asmk)
set(ASMK_BUILD_DATADIR ${CMAKE_BINARY_DIR}/share/asmk)

file(MAKE_DIRECTORY ${ASMK_BUILD_DATADIR})
foreach(arch IN LISTS ASMK_KERNEL_ARCHES)
  file(CREATE_LINK ${CMAKE_SOURCE_DIR}/hsaco/${arch} ${ASMK_BUILD_DATADIR}/${arch} SYMBOLIC)
endforeach()
foreach(folder tuned machines presets)
  file(CREATE_LINK ${CMAKE_SOURCE_DIR}/perf/${folder} ${ASMK_BUILD_DATADIR}/${folder} SYMBOLIC)
endforeach()

install(DIRECTORY ${CMAKE_SOURCE_DIR}/hsaco/ DESTINATION ${ASMK_INSTALL_DATADIR} COMPONENT asmk
        FILES_MATCHING PATTERN "manifest.json" PATTERN "*.co"
        PATTERN ".asmgen" EXCLUDE PATTERN "tuned" EXCLUDE)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/perf/tuned ${CMAKE_SOURCE_DIR}/perf/machines ${CMAKE_SOURCE_DIR}/perf/presets
        DESTINATION ${ASMK_INSTALL_DATADIR} COMPONENT asmk FILES_MATCHING PATTERN "*.csv" PATTERN "*.json")
