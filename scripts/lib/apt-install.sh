# Sourced by the install scripts of test tools.
#   apt_install NAME COMMAND PACKAGE...         unless COMMAND is already on PATH
#   apt_install_files NAME FILE... -- PACKAGE... unless every FILE is already there
# install Debian packages with apt-get, and fail with a clear message (prefixed with NAME)
# when they cannot, or when what they should bring is still missing. Needs root, or sudo.

# Installs PACKAGE... with apt-get (the part both functions share).
apt_get_install() {
  local name=$1
  shift
  local packages=("$@")
  die() { echo "$name: $*" >&2; exit 1; }
  command -v apt-get >/dev/null 2>&1 \
    || die "apt-get not found: install ${packages[*]} with your package manager"
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "installing ${packages[*]} needs root: run this script as root"
    sudo=(sudo)
  fi
  echo "$name: installing ${packages[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq || die "apt-get update failed: is the package mirror reachable?"
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" \
    || die "apt-get could not install ${packages[*]}"
}

apt_install() {
  local name=$1 command=$2
  shift 2
  if command -v "$command" >/dev/null 2>&1; then
    echo "$name: $command already installed ($(command -v "$command"))"
    return 0
  fi
  apt_get_install "$name" "$@"
  command -v "$command" >/dev/null 2>&1 || { echo "$name: $command is still not on PATH" >&2; exit 1; }
}

apt_install_files() {
  local name=$1
  shift
  local files=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do files+=("$1"); shift; done
  shift
  local missing=0 file
  for file in "${files[@]}"; do [ -f "$file" ] || missing=1; done
  if [ $missing = 0 ]; then
    echo "$name: ${files[*]} already installed"
    return 0
  fi
  apt_get_install "$name" "$@"
  for file in "${files[@]}"; do
    [ -f "$file" ] || { echo "$name: $file is still missing (is /usr/share/doc excluded by a dpkg path filter?)" >&2; exit 1; }
  done
}
