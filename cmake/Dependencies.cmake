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
find_package(SQLite3 REQUIRED)                                    # libsqlite3-dev
pkg_check_modules(OPENCC REQUIRED IMPORTED_TARGET opencc)         # libopencc-dev
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)   # libcpp-httplib-dev
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)      # libxxhash-dev
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)                # libssl-dev, for keyed pseudonyms
find_package(toml11 3.7 REQUIRED)                                 # libtoml11-dev

# jemalloc serves the allocations of the analyzer and store threads faster
# than glibc's malloc, which frees strings across threads at a higher cost:
# ingest ran 3 to 5% faster (docs/benchmarks.md). AddressSanitizer brings its
# own allocator, so sanitizer builds go without.
if(NOT SHOPSIGHT_SANITIZE)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)   # libjemalloc-dev
endif()

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

# llama.cpp is built from source by scripts/build-llama-cpp.sh (static, CPU,
# release flags) into a prefix that every preset shares.
set(SHOPSIGHT_LLAMA_PREFIX "${PROJECT_SOURCE_DIR}/.deps/llama/install" CACHE PATH
  "Install prefix of llama.cpp built by scripts/build-llama-cpp.sh")
option(SHOPSIGHT_CUDA "Require a llama.cpp built with ggml's CUDA backend (scripts/build-llama-cpp.sh --cuda)" OFF)
find_package(llama CONFIG PATHS "${SHOPSIGHT_LLAMA_PREFIX}" NO_DEFAULT_PATH)
if(NOT llama_FOUND)
  message(FATAL_ERROR "llama.cpp was not found in ${SHOPSIGHT_LLAMA_PREFIX}. "
    "Run scripts/build-llama-cpp.sh first (SHOPSIGHT_LLAMA_CPP_DIR names a llama.cpp checkout to build instead).")
endif()

# ggml's package configuration lists the backends compiled into the prefix;
# the CUDA one also makes it look up the CUDA toolkit that it links to.
if(SHOPSIGHT_CUDA AND NOT "ggml-cuda" IN_LIST GGML_AVAILABLE_BACKENDS)
  message(FATAL_ERROR "SHOPSIGHT_CUDA is ON, but the llama.cpp in ${SHOPSIGHT_LLAMA_PREFIX} has no CUDA backend "
    "(it has: ${GGML_AVAILABLE_BACKENDS}). Run scripts/build-llama-cpp.sh --cuda, which needs the CUDA toolkit "
    "(nvcc), or configure with -DSHOPSIGHT_CUDA=OFF.")
endif()
if("ggml-cuda" IN_LIST GGML_AVAILABLE_BACKENDS)
  message(STATUS "llama.cpp has the CUDA backend: ModelOptions::gpu_layers offloads layers to the GPU")
endif()
