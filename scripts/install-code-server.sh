#!/bin/sh
# Installs what the integration and e2e tests need to run the extension in a real VS Code:
#   - code-server 4.100.3 (VS Code 1.100.3 served to a browser, with a Node extension host),
#     because @vscode/test-electron downloads VS Code from Microsoft and CI may only reach the
#     npm registry and Debian's package mirrors;
#   - Debian's Chromium, because Playwright's own browser downloads are not reachable either.
#
# Usage: scripts/install-code-server.sh
#   CODE_SERVER_DIR  where to install (default: $HOME/.cache/cloudtrail-lens/code-server-4.100.3);
#                    kept out of the repo's node_modules because it is ~300 MB.
#   CHROMIUM_PATH    a browser to use instead of Debian's chromium (skips installing it).
#
# Idempotent: once everything is there it only checks and exits (about a second).
# Progress goes to stderr; the last line on stdout is the code-server executable's path.
set -eu

VERSION=4.100.3 # the last code-server release that runs on Node 20 (4.101+ needs Node 22)
RG_PKG_VERSION=1.15.11 # the @vscode/ripgrep version code-server 4.100.3 depends on
RG_VERSION=v13.0.0-10  # the ripgrep release that @vscode/ripgrep version downloads
DIR=${CODE_SERVER_DIR:-$HOME/.cache/cloudtrail-lens/code-server-$VERSION}
BIN=$DIR/node_modules/.bin/code-server

say() { echo "install-code-server: $*" >&2; }

code_server_ok() { [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; }

# --- Debian packages -----------------------------------------------------------------------
# chromium is always needed (the tests drive it); the rest only to build code-server:
# kerberos and node-pty are native modules compiled by node-gyp (python3, make, g++), kerberos
# needs libkrb5-dev and pkg-config, and ripgrep replaces the rg binary @vscode/ripgrep would
# fetch from GitHub.
wanted=""
if [ -z "${CHROMIUM_PATH:-}" ]; then wanted="chromium"; fi
if ! code_server_ok; then wanted="$wanted libkrb5-dev pkg-config ripgrep python3 make g++"; fi

missing=""
if command -v dpkg >/dev/null 2>&1; then
  for p in $wanted; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
elif [ -n "$wanted" ]; then
  say "not a Debian-based system: make sure these are installed:$wanted"
fi

if [ -n "$missing" ]; then
  # CI runners are often non-root with passwordless sudo; never prompt for a password.
  if [ "$(id -u)" = 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    say "missing Debian packages:$missing (need root or passwordless sudo to install them)"
    exit 1
  fi
  say "installing Debian packages:$missing"
  # DEBIAN_FRONTEND: no debconf prompts on a fresh machine. --no-install-recommends: chromium's
  # recommends alone are hundreds of MB the headless tests never use.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  # shellcheck disable=SC2086 # $missing is a list of package names
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
fi

if code_server_ok; then
  echo "$BIN"
  exit 0
fi

# --- ripgrep ---------------------------------------------------------------------------------
# @vscode/ripgrep's postinstall downloads rg from GitHub unless its download cache
# ($TMPDIR/vscode-ripgrep-cache-<pkg version>/) already holds the release archive: seed that
# cache with a tarball of Debian's rg, which is all the postinstall extracts from it.
case "$(node -p 'process.arch')" in
  x64) RG_TARGET=x86_64-unknown-linux-musl ;;
  arm64) RG_TARGET=aarch64-unknown-linux-musl ;;
  *) RG_TARGET="" ;; # other targets: let the postinstall try its own download
esac
if [ -n "$RG_TARGET" ]; then
  RG_CACHE=$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-$RG_PKG_VERSION
  RG_TGZ=$RG_CACHE/ripgrep-$RG_VERSION-$RG_TARGET.tar.gz
  if [ ! -s "$RG_TGZ" ]; then
    RG=$(command -v rg) || { say "rg (Debian package ripgrep) not found"; exit 1; }
    tmp=$(mktemp -d)
    cp "$RG" "$tmp/rg"
    mkdir -p "$RG_CACHE"
    tar czf "$RG_TGZ" -C "$tmp" rg
    rm -rf "$tmp"
  fi
fi

# --- code-server -----------------------------------------------------------------------------
# code-server's postinstall refuses any Node major but 20 unless FORCE_NODE_VERSION names the
# one in use (it compares that number with the running Node's major version).
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
if [ "$NODE_MAJOR" != 20 ]; then
  say "Node $NODE_MAJOR, not 20: forcing code-server's postinstall to accept it"
  FORCE_NODE_VERSION=$NODE_MAJOR
  export FORCE_NODE_VERSION
fi

say "installing code-server $VERSION into $DIR (about a minute)"
mkdir -p "$DIR"
cd "$DIR"
# A package.json of its own so npm installs here rather than into an enclosing project.
[ -f package.json ] || echo '{"private":true}' >package.json
# --unsafe-perm: as root, code-server's postinstall refuses to run without it.
# npm_config_yes: node-pty's postinstall runs `npx node-gyp`, which must not stop to ask.
if ! npm_config_yes=true npm install --no-audit --no-fund --unsafe-perm "code-server@$VERSION" \
  >install.log 2>&1; then
  tail -40 install.log >&2
  say "npm install failed; full log: $DIR/install.log"
  exit 1
fi
if ! code_server_ok; then
  say "installed, but '$BIN --version' fails; see $DIR/install.log"
  exit 1
fi
echo "$BIN"
