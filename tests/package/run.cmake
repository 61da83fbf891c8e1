# Installs Aegis from BUILD_DIR into a scratch prefix, builds tests/package/app against it with
# find_package(aegis), checks what the app discovered, then drops one more middleware file in and checks
# that a rebuild picks it up. Run by CTest (tests/CMakeLists.txt) with -DBUILD_DIR -DSOURCE_DIR -DWORK_DIR.
cmake_minimum_required(VERSION 3.25)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "failed (${code}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

function(expect_in text needle)
  string(FIND "${text}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected '${needle}' in:\n${text}")
  endif()
endfunction()

function(expect_not_in text needle)
  string(FIND "${text}" "${needle}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "did not expect '${needle}' in:\n${text}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix")
file(COPY "${SOURCE_DIR}/tests/package/app/" DESTINATION "${WORK_DIR}/src")

run(${CMAKE_COMMAND} -S "${WORK_DIR}/src" -B "${WORK_DIR}/build" -G Ninja -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build")

run("${WORK_DIR}/build/package_app" routes)
expect_in("${last_output}" "/api/hello/{name}")
run("${WORK_DIR}/build/package_app" check)
set(first "${last_output}")
expect_in("${first}" "middleware/a_first.cpp")
expect_not_in("${first}" "Disabled")
expect_in("${first}" "startup/boot.cpp")
expect_in("${first}" "shutdown/bye.cpp")
expect_not_in("${first}" "Second")

# The Overseer of the app, in Chromium (when node and the npm packages are there): its Lifecycle tab lists
# the middleware; after the rebuild below it must list one more, the dropped-in file.
function(overseer_middleware label out_count out_text)
  execute_process(COMMAND "${NODE}" "${SOURCE_DIR}/tests/browser/overseer_fixture.test.mjs"
                          "${WORK_DIR}/build/package_app" "${NPM_DIR}" "${ARTIFACTS}" "${label}"
                  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "the Overseer fixture test failed (${code}):\n${out}\n${err}")
  endif()
  string(REGEX MATCH "middleware: ([0-9]+)" found "${out}")
  if(NOT found)
    message(FATAL_ERROR "the Overseer fixture test printed no middleware count:\n${out}")
  endif()
  set(${out_count} "${CMAKE_MATCH_1}" PARENT_SCOPE)
  set(${out_text} "${out}" PARENT_SCOPE)
endfunction()
set(with_browser FALSE)
if(NODE)
  if(NOT EXISTS "${NPM_DIR}/node_modules/playwright-core")
    message(FATAL_ERROR "playwright-core is not in ${NPM_DIR}/node_modules: run scripts/setup")
  endif()
  set(with_browser TRUE)
  overseer_middleware(before count_before text_before)
  expect_not_in("${text_before}" "b_second.cpp")
endif()

# Drop a file in and rebuild: nothing else changes.
configure_file("${SOURCE_DIR}/tests/package/second_middleware.cpp.in"
               "${WORK_DIR}/src/app/components/backend/middleware/b_second.cpp" COPYONLY)
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run("${WORK_DIR}/build/package_app" check)
expect_in("${last_output}" "middleware/b_second.cpp")
expect_in("${last_output}" "Second")
if(with_browser)
  overseer_middleware(after count_after text_after)
  math(EXPR expected "${count_before} + 1")
  if(NOT count_after EQUAL expected)
    message(FATAL_ERROR "the Overseer listed ${count_before} middleware before the rebuild and ${count_after} "
                        "after; expected ${expected}:\n${text_after}")
  endif()
  expect_in("${text_after}" "b_second.cpp")
  message(STATUS "the Overseer shows ${count_before} middleware, then ${count_after} with middleware/b_second.cpp")
endif()
message(STATUS "the installed package builds an app; a dropped-in middleware file appears after a rebuild")
