# Sourced by the install scripts of test tools: `apt_install NAME COMMAND PACKAGE...` installs
# Debian packages with apt-get unless COMMAND is already on PATH, and fails with a clear
# message (prefixed with NAME) when it cannot. Needs root, or sudo.

apt_install() {
  local name=$1 command=$2
  shift 2
  local packages=("$@")
  die() { echo "$name: $*" >&2; exit 1; }
  if command -v "$command" >/dev/null 2>&1; then
    echo "$name: $command already installed ($(command -v "$command"))"
    return 0
  fi
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
  command -v "$command" >/dev/null 2>&1 || die "$command is still not on PATH"
}
