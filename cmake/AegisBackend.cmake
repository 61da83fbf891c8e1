# aegis_add_backend(<target> <dir> [SOURCES <file>...])
#
# Builds an Aegis Stack backend: <dir> is the app's `app/components/backend` folder. When <target> does not
# exist yet it becomes an executable of <dir>/main.cpp, every <dir>/api/*.cpp and the SOURCES given, linked
# with aegis::aegis. In both cases every <dir>/middleware/*.cpp, <dir>/startup/*.cpp and <dir>/shutdown/*.cpp
# is compiled straight into <target> (never into a static library, where the linker would drop the files'
# self-registration), so dropping a file in one of those folders and rebuilding is the whole contract. The
# folders are globbed with CONFIGURE_DEPENDS: a new file is picked up by the next build. Files whose names
# start with `_` are skipped. Discovery order at run time is by file name.
function(aegis_add_backend target dir)
  cmake_parse_arguments(PARSE_ARGV 2 AEGIS "" "" "SOURCES")
  get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  file(GLOB hooks CONFIGURE_DEPENDS
    "${dir}/middleware/*.cpp" "${dir}/startup/*.cpp" "${dir}/shutdown/*.cpp")
  list(FILTER hooks EXCLUDE REGEX "/_[^/]*\\.cpp$")
  if(NOT TARGET ${target})
    file(GLOB routers CONFIGURE_DEPENDS "${dir}/api/*.cpp")
    list(FILTER routers EXCLUDE REGEX "/_[^/]*\\.cpp$")
    add_executable(${target} "${dir}/main.cpp" ${routers} ${AEGIS_SOURCES})
    target_link_libraries(${target} PRIVATE aegis::aegis)
  elseif(AEGIS_SOURCES)
    target_sources(${target} PRIVATE ${AEGIS_SOURCES})
  endif()
  target_sources(${target} PRIVATE ${hooks})
endfunction()
