# Every dependency comes from a Debian package; the package name is given
# beside each lookup so that a missing one is easy to install.
find_package(PkgConfig REQUIRED)

find_package(ICU 72 REQUIRED COMPONENTS uc i18n data)            # libicu-dev
find_package(nlohmann_json 3.10 REQUIRED)                         # nlohmann-json3-dev
find_package(spdlog REQUIRED)                                     # libspdlog-dev
find_package(fmt REQUIRED)                                        # libfmt-dev
find_package(CLI11 REQUIRED)                                      # libcli11-dev
find_package(pugixml REQUIRED)                                    # libpugixml-dev
find_package(Threads REQUIRED)
pkg_check_modules(OPENCC REQUIRED IMPORTED_TARGET opencc)         # libopencc-dev

find_path(CSV_INCLUDE_DIR csv.h REQUIRED)                         # libcsv-dev
find_library(CSV_LIBRARY csv REQUIRED)
add_library(csv::csv UNKNOWN IMPORTED)
set_target_properties(csv::csv PROPERTIES IMPORTED_LOCATION "${CSV_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${CSV_INCLUDE_DIR}")

find_path(LINEAR_INCLUDE_DIR linear.h REQUIRED)                   # liblinear-dev
find_library(LINEAR_LIBRARY linear REQUIRED)
add_library(liblinear::liblinear UNKNOWN IMPORTED)
set_target_properties(liblinear::liblinear PROPERTIES IMPORTED_LOCATION "${LINEAR_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${LINEAR_INCLUDE_DIR}")

if(SHOPSIGHT_BUILD_TESTS)
  find_package(GTest REQUIRED)                                    # libgtest-dev
endif()
