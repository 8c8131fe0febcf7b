# cmake -DSOURCE=perf/tuned -DDESTINATION=hsaco/tuned -P CopyTunedTables.cmake
# Mirrors the tuned tables (*.csv) of SOURCE into DESTINATION: a table deleted from SOURCE
# disappears from DESTINATION too; a missing SOURCE copies nothing.
file(GLOB tables "${SOURCE}/*.csv")
file(MAKE_DIRECTORY "${DESTINATION}")
file(GLOB stale "${DESTINATION}/*.csv")
foreach(table IN LISTS stale)
  get_filename_component(name "${table}" NAME)
  if(NOT EXISTS "${SOURCE}/${name}")
    file(REMOVE "${table}")
  endif()
endforeach()
foreach(table IN LISTS tables)
  file(COPY "${table}" DESTINATION "${DESTINATION}")
endforeach()
