# Web dashboard (web/): built with npm and Vite into ${CMAKE_BINARY_DIR}/dashboard,
# served by `shopsight serve` at /, installed to share/shopsight/dashboard, and
# tested end to end in headless Chromium (ctest -L browser).

find_program(SHOPSIGHT_NPM_EXECUTABLE npm)
find_program(SHOPSIGHT_NODE_EXECUTABLE node)

if(SHOPSIGHT_NPM_EXECUTABLE AND SHOPSIGHT_NODE_EXECUTABLE)
  set(_shopsight_dashboard_default ON)
else()
  set(_shopsight_dashboard_default OFF)
endif()
option(SHOPSIGHT_DASHBOARD "Build the web dashboard with npm (needs Node.js 18 or later)" ${_shopsight_dashboard_default})

# Folder that `shopsight serve` falls back to when no installed dashboard is found.
set(SHOPSIGHT_DASHBOARD_BUILD_DIR "${CMAKE_BINARY_DIR}/dashboard" CACHE INTERNAL
  "Build-tree folder of the dashboard files")

if(NOT SHOPSIGHT_DASHBOARD)
  if(NOT _shopsight_dashboard_default)
    message(STATUS "Web dashboard: off, because npm or node was not found (apt-get install nodejs npm)")
  else()
    message(STATUS "Web dashboard: off (SHOPSIGHT_DASHBOARD=OFF)")
  endif()
  return()
endif()
if(NOT SHOPSIGHT_NPM_EXECUTABLE OR NOT SHOPSIGHT_NODE_EXECUTABLE)
  message(FATAL_ERROR "SHOPSIGHT_DASHBOARD is ON but npm or node was not found; install nodejs and npm "
    "or configure with -DSHOPSIGHT_DASHBOARD=OFF")
endif()
message(STATUS "Web dashboard: on, built into ${SHOPSIGHT_DASHBOARD_BUILD_DIR}")

set(_web_dir "${CMAKE_SOURCE_DIR}/web")
set(_npm_stamp "${CMAKE_BINARY_DIR}/web-npm-ci.stamp")

# npm ci runs again only when the lock file changes.
add_custom_command(
  OUTPUT "${_npm_stamp}"
  COMMAND "${SHOPSIGHT_NPM_EXECUTABLE}" ci --no-audit --no-fund
  COMMAND "${CMAKE_COMMAND}" -E touch "${_npm_stamp}"
  DEPENDS "${_web_dir}/package-lock.json" "${_web_dir}/package.json"
  WORKING_DIRECTORY "${_web_dir}"
  COMMENT "Installing the dashboard's npm packages (npm ci)"
  VERBATIM)

file(GLOB_RECURSE _web_sources CONFIGURE_DEPENDS
  "${_web_dir}/src/*"
  "${_web_dir}/public/*")
list(APPEND _web_sources "${_web_dir}/index.html" "${_web_dir}/vite.config.ts" "${_web_dir}/tsconfig.json")

add_custom_command(
  OUTPUT "${SHOPSIGHT_DASHBOARD_BUILD_DIR}/index.html"
  COMMAND "${SHOPSIGHT_NPM_EXECUTABLE}" run build -- --outDir "${SHOPSIGHT_DASHBOARD_BUILD_DIR}" --emptyOutDir
  DEPENDS "${_npm_stamp}" ${_web_sources}
  WORKING_DIRECTORY "${_web_dir}"
  COMMENT "Building the web dashboard (tsc and vite build)"
  VERBATIM)

add_custom_target(dashboard ALL DEPENDS "${SHOPSIGHT_DASHBOARD_BUILD_DIR}/index.html")

install(DIRECTORY "${SHOPSIGHT_DASHBOARD_BUILD_DIR}/" DESTINATION share/shopsight/dashboard)

if(SHOPSIGHT_BUILD_TESTS)
  enable_testing()
  file(GLOB _web_tests CONFIGURE_DEPENDS "${_web_dir}/tests/*.test.mjs")
  add_test(NAME Dashboard.e2e
    COMMAND "${SHOPSIGHT_NODE_EXECUTABLE}" --test ${_web_tests}
    WORKING_DIRECTORY "${_web_dir}")
  set_tests_properties(Dashboard.e2e PROPERTIES
    TIMEOUT 900
    LABELS browser
    ENVIRONMENT "SHOPSIGHT_BIN=$<TARGET_FILE:shopsight>;SHOPSIGHT_DASHBOARD_DIR=${SHOPSIGHT_DASHBOARD_BUILD_DIR};SHOPSIGHT_SCREENSHOT_DIR=${CMAKE_BINARY_DIR}/screenshots;SHOPSIGHT_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endif()
