# shellcheck shell=bash
# What scripts/serve and scripts/test need on a machine that has only Python 3.11+ and pip, installed only
# where it is missing. Sourced, not run.
#
#   ensure_uv                        uv on the PATH, else pip-installed (pinned) into ~/.cache/pageviews
#   ensure_debian_packages CMD:PKG   each PKG apt-get installed when no CMD is found (as root, or with sudo)
#   step NAME COMMAND...             runs COMMAND, then prints how long it took

UV_VERSION=${UV_VERSION:-0.13.9} # the version the Dockerfile and CI pin
PAGEVIEWS_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/pageviews

step() {
  local name=$1 started=$SECONDS
  shift
  printf '\n== %s\n' "$name"
  "$@"
  printf '== %s: %d s\n' "$name" $((SECONDS - started))
}

ensure_uv() {
  if command -v uv >/dev/null 2>&1; then
    return
  fi
  local target=$PAGEVIEWS_CACHE/uv-$UV_VERSION
  if [[ ! -x $target/bin/uv ]]; then
    echo "uv is missing: pip install uv==$UV_VERSION --target $target"
    # --target installs outside any environment, so it works where the system Python is "externally
    # managed" (Debian's PEP 668 marker) and needs neither root nor a virtualenv.
    python3 -m pip install --quiet --disable-pip-version-check --target "$target" "uv==$UV_VERSION"
  fi
  export PATH=$target/bin:$PATH
  uv --version
}

# ensure_debian_packages redis-server:redis-server chromium:chromium ...
# A package is wanted when none of its commands (CMD may list alternatives: a|b) is on the PATH.
ensure_debian_packages() {
  local wanted=() pair commands package command found
  for pair in "$@"; do
    commands=${pair%%:*}
    package=${pair#*:}
    found=0
    for command in ${commands//|/ }; do
      if command -v "$command" >/dev/null 2>&1; then
        found=1
      fi
    done
    ((found)) || wanted+=("$package")
  done
  if ((${#wanted[@]} == 0)); then
    return
  fi
  local sudo=()
  if [[ $(id -u) != 0 ]]; then
    if ! sudo -n true 2>/dev/null; then
      echo "missing: ${wanted[*]}; install them (apt-get install ${wanted[*]}) or run this as root" >&2
      return 1
    fi
    sudo=(sudo -n)
  fi
  echo "missing: ${wanted[*]}: apt-get install"
  "${sudo[@]}" apt-get update -qq
  # --reinstall: a package can be installed with its command gone (deleted by hand); installing it again
  # brings the command back, where a plain install would do nothing.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --reinstall --no-install-recommends "${wanted[@]}" </dev/null
  for pair in "$@"; do
    commands=${pair%%:*}
    found=0
    for command in ${commands//|/ }; do
      if command -v "$command" >/dev/null 2>&1; then
        found=1
      fi
    done
    if ((!found)); then
      echo "installed ${pair#*:}, but none of ${commands//|/, } is on the PATH ($PATH)" >&2
      return 1
    fi
  done
}
