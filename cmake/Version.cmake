# Version string with the git hash, refreshed at every build (not only at configure time).
set(TRINE_VERSION_CPP ${CMAKE_BINARY_DIR}/generated/version.cpp)
add_custom_target(trine_version_stamp
  BYPRODUCTS ${TRINE_VERSION_CPP}
  COMMAND ${CMAKE_COMMAND} -DOUT=${TRINE_VERSION_CPP} -DVERSION=${PROJECT_VERSION}
          -DSRC=${PROJECT_SOURCE_DIR} -P ${PROJECT_SOURCE_DIR}/cmake/VersionScript.cmake
  VERBATIM)
