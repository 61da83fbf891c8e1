# Shared by scripts/run and scripts/test: where builds go and how a configuration is built.
# AEGIS_BUILD_DIR chooses the build folder (default: build/ in the checkout); each configuration gets its
# own subfolder, configured once and then rebuilt incrementally.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_root=${AEGIS_BUILD_DIR:-$root/build}

# configure NAME CMAKE_ARGS... : configures $build_root/NAME unless it already is.
configure() {
  local name=$1
  shift
  local dir=$build_root/$name
  if [[ ! -f $dir/build.ninja ]]; then
    cmake -S "$root" -B "$dir" -G Ninja "$@" >/dev/null
  fi
}

njobs() { nproc 2>/dev/null || echo 2; }
