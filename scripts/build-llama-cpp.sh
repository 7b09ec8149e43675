#!/usr/bin/env bash
# Builds llama.cpp's `llama` and `ggml` libraries (static, CPU) and installs
# them into .deps/llama/install, where CMake finds them.
#
# The source is the git bundle inside the npm package node-llama-cpp at the
# pinned version below, or any llama.cpp checkout named by
# SHOPSIGHT_LLAMA_CPP_DIR. The build runs once: a stamp records the source
# commit and options, and a second call with the same ones returns at once.
#
# Usage: scripts/build-llama-cpp.sh [--cuda] [--tool NAME]...
#   --cuda       also build ggml's CUDA backend (needs nvcc)
#   --tool NAME  also build one of llama.cpp's programs (for the benchmarks),
#                for example llama-embedding; it lands in .deps/llama/build/bin
#   --configure-only  only check that llama.cpp configures with these options
#                (used by CI for --cuda, which a machine without a GPU cannot use)
set -euo pipefail

node_llama_cpp_version=3.21.1
root=$(cd "$(dirname "$0")/.." && pwd)
deps=${SHOPSIGHT_DEPS_DIR:-$root/.deps}
prefix=$deps/llama
jobs=${SHOPSIGHT_BUILD_JOBS:-$(nproc)}

cuda=OFF
tools=()
configure_only=0
while (($#)); do
  case $1 in
    --cuda) cuda=ON ;;
    --tool) tools+=("$2"); shift ;;
    --configure-only) configure_only=1 ;;
    *) echo "build-llama-cpp.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

# nvcc is often installed outside PATH, under CUDA_HOME or /usr/local/cuda.
cuda_flags=()
if [[ $cuda == ON ]]; then
  nvcc=$(command -v nvcc || true)
  for candidate in "${CUDA_HOME:-}/bin/nvcc" /usr/local/cuda/bin/nvcc; do
    if [[ -z $nvcc && -x $candidate ]]; then nvcc=$candidate; fi
  done
  if [[ -z $nvcc ]]; then
    echo "build-llama-cpp.sh: --cuda needs nvcc (the CUDA toolkit) on PATH, in CUDA_HOME/bin or in /usr/local/cuda/bin" >&2
    exit 2
  fi
  cuda_flags=(-DCMAKE_CUDA_COMPILER="$nvcc")
fi

# Take the source from the npm package unless the user named a checkout.
if [[ -n ${SHOPSIGHT_LLAMA_CPP_DIR:-} ]]; then
  source_dir=$(cd "$SHOPSIGHT_LLAMA_CPP_DIR" && pwd)
else
  source_dir=$deps/llama.cpp-node-llama-cpp-$node_llama_cpp_version
  if [[ ! -f $source_dir/CMakeLists.txt ]]; then
    echo "Fetching llama.cpp from npm package node-llama-cpp@$node_llama_cpp_version"
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    (cd "$scratch" && npm pack --silent "node-llama-cpp@$node_llama_cpp_version" >/dev/null)
    tar -xzf "$scratch/node-llama-cpp-$node_llama_cpp_version.tgz" -C "$scratch" \
      package/llama/gitRelease.bundle
    rm -rf "$source_dir"
    git clone -q "$scratch/package/llama/gitRelease.bundle" "$source_dir"
  fi
fi

commit=$(git -C "$source_dir" rev-parse HEAD 2>/dev/null || echo unversioned)
# A CUDA build needs a GPU to be of use, but whether it configures can be
# checked on any machine with the toolkit, in a scratch folder. Without a
# GPU, CUDA's "native" architecture is unknown, so one is named.
if ((configure_only)); then
  scratch_build=$(mktemp -d)
  trap 'rm -rf "$scratch_build"' EXIT
  cmake -S "$source_dir" -B "$scratch_build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF \
    -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_COMMON=OFF -DLLAMA_OPENSSL=OFF \
    -DGGML_NATIVE=OFF -DCMAKE_CUDA_ARCHITECTURES=75 -DGGML_CUDA="$cuda" "${cuda_flags[@]}" \
    >"$scratch_build/configure.log" 2>&1 ||
    { cat "$scratch_build/configure.log" >&2; exit 1; }
  echo "llama.cpp $commit configures with CUDA $cuda"
  exit 0
fi

wanted="source=$source_dir commit=$commit cuda=$cuda"
stamp=$prefix/install/stamp
if [[ -f $stamp && $(cat "$stamp") == "$wanted" ]]; then
  missing_tool=0
  for tool in "${tools[@]}"; do [[ -x $prefix/build/bin/$tool ]] || missing_tool=1; done
  if ((missing_tool == 0)); then
    echo "llama.cpp is built: $prefix/install ($commit)"
    exit 0
  fi
fi

# Release flags whatever the shopsight preset: a debug llama.cpp makes
# inference ten times slower, and the sanitizer preset links this build too.
echo "Building llama.cpp $commit (CUDA $cuda) with $jobs jobs; this takes several minutes"

# `configure ON` also adds llama.cpp's programs, which live partly
# under tools/ and partly under examples/ (llama-embedding).
configure() {
  cmake -S "$source_dir" -B "$prefix/build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix/install" \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DBUILD_SHARED_LIBS=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES="$1" -DLLAMA_BUILD_SERVER=OFF \
    -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_TOOLS="$1" -DLLAMA_BUILD_COMMON="$1" \
    -DLLAMA_TOOLS_INSTALL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_IS_DEV=OFF \
    -DGGML_NATIVE=ON -DGGML_CUDA="$cuda" "${cuda_flags[@]}" >"$prefix.configure.log"
}

# The libraries are installed from a tree without the programs, because
# llama.cpp's install rules for examples expect every example to be built.
configure OFF
cmake --build "$prefix/build" -j "$jobs" --target llama
cmake --install "$prefix/build" >/dev/null
# The vocabulary-only models and their expected tokenizations serve the
# tokenizer tests and the generated test models.
mkdir -p "$prefix/install/share/llama-vocab"
cp "$source_dir"/models/ggml-vocab-*.gguf* "$prefix/install/share/llama-vocab/"

# Turning the programs on changes no flag of the libraries, so this rebuilds
# only the programs and what they need.
if ((${#tools[@]})); then
  configure ON
  for tool in "${tools[@]}"; do
    cmake --build "$prefix/build" -j "$jobs" --target "$tool"
  done
fi
echo "$wanted" >"$stamp"
echo "llama.cpp installed: $prefix/install"
