#!/bin/sh
# kaged setup: the one entry behind `npm start` and `npm test` (see the root package.json).
#
#   sh scripts/setup.sh start [daemon args...]   build, then run the example project
#   sh scripts/setup.sh test                     build, then run the whole test suite
#
# Needs only Node >= 20 and npm. When the `node` on PATH is older than 22.13, Node 24 is
# installed into .tools/ at the repo root (no root rights, nothing global); pnpm at the exact
# version named in package.json#packageManager is installed there too when no matching pnpm
# is on PATH. A second run reuses .tools/ without touching the network.
set -eu

say() { printf 'kaged setup: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

usage() {
  say "usage: sh scripts/setup.sh start [args...] | test"
  exit 2
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
  start | test) ;;
  *) usage ;;
esac

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"

TOOLS="$ROOT/.tools"
TOOLS_BIN="$TOOLS/node_modules/.bin"
NODE_MIN_MAJOR=22
NODE_MIN_MINOR=13
NODE_WANT=24

# Nothing below reads stdin; keep corepack shims (if any) from prompting.
COREPACK_ENABLE_DOWNLOAD_PROMPT=0
export COREPACK_ENABLE_DOWNLOAD_PROMPT

# node_ok BIN: BIN runs and is >= NODE_MIN_MAJOR.NODE_MIN_MINOR
node_ok() {
  v=$("$1" -p process.versions.node 2>/dev/null </dev/null) || return 1
  major=${v%%.*}
  rest=${v#*.}
  minor=${rest%%.*}
  case $major$minor in
    '' | *[!0-9]*) return 1 ;;
  esac
  [ "$major" -gt "$NODE_MIN_MAJOR" ] ||
    { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -ge "$NODE_MIN_MINOR" ]; }
}

# any_node: some node to run small helper one-liners (any version will do for those)
if command -v node >/dev/null 2>&1; then
  any_node=node
elif [ -x "$TOOLS_BIN/node" ]; then
  any_node=$TOOLS_BIN/node
else
  die "node is not on PATH; install Node.js >= 20 (with npm) first"
fi

# The pnpm version pinned in package.json#packageManager ("pnpm@X.Y.Z" or "pnpm@X.Y.Z+sha...").
pm=$("$any_node" -p "require('./package.json').packageManager || ''" </dev/null)
case $pm in
  pnpm@*) ;;
  *) die "package.json#packageManager must name pnpm (found '$pm')" ;;
esac
PNPM_WANT=${pm#pnpm@}
PNPM_WANT=${PNPM_WANT%%+*}

# pkg_version DIR: version field of DIR/package.json, empty when absent
pkg_version() {
  [ -f "$1/package.json" ] || return 0
  "$any_node" -p "require(process.argv[1]).version" "$1/package.json" 2>/dev/null </dev/null || true
}

# 1. Node
need_node=0
if command -v node >/dev/null 2>&1 && node_ok node; then
  :
else
  need_node=1
fi

# 2. pnpm
need_pnpm=0
if [ "$need_node" = 1 ]; then
  # Keep the toolchain in .tools self-contained when we have to provide node anyway.
  need_pnpm=1
elif command -v pnpm >/dev/null 2>&1 &&
  [ "$(pnpm --version 2>/dev/null </dev/null || true)" = "$PNPM_WANT" ]; then
  :
else
  need_pnpm=1
fi

used_tools=0
if [ "$need_node" = 1 ] || [ "$need_pnpm" = 1 ]; then
  used_tools=1
  have_node=1
  have_pnpm=1
  if [ "$need_node" = 1 ] && ! { [ -x "$TOOLS_BIN/node" ] && node_ok "$TOOLS_BIN/node"; }; then
    have_node=0
  fi
  if [ "$need_pnpm" = 1 ] && { [ ! -e "$TOOLS_BIN/pnpm" ] ||
    [ "$(pkg_version "$TOOLS/node_modules/pnpm")" != "$PNPM_WANT" ]; }; then
    have_pnpm=0
  fi

  if [ "$have_node" = 0 ] || [ "$have_pnpm" = 0 ]; then
    command -v npm >/dev/null 2>&1 || die "npm is not on PATH; it is needed once to fetch Node $NODE_WANT and pnpm"
    specs="pnpm@$PNPM_WANT"
    what="pnpm $PNPM_WANT"
    if [ "$need_node" = 1 ]; then
      specs="node@$NODE_WANT $specs"
      what="Node $NODE_WANT and $what"
      say "node on PATH is $(node -v 2>/dev/null || echo missing), kaged needs >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR"
    fi
    say "installing $what into .tools/ (one time) ..."
    mkdir -p "$TOOLS"
    log="$TOOLS/install.log"
    # --prefix makes .tools its own npm project, so the root package.json and lockfile are
    # not touched (and --no-save, --no-package-lock keep .tools itself unchanged). The `node`
    # package fetches its binary in a preinstall script: allow that one script explicitly
    # (newer npm blocks dependency install scripts that allowScripts does not list).
    cat >"$TOOLS/package.json" <<'EOF'
{
  "private": true,
  "description": "Node and pnpm for kaged, installed by scripts/setup.sh; safe to delete",
  "allowScripts": { "node": true }
}
EOF
    # shellcheck disable=SC2086 # word splitting of $specs is intended
    if ! npm install --prefix "$TOOLS" --no-save --no-package-lock --no-audit --no-fund \
      --ignore-scripts=false --loglevel=error $specs >"$log" 2>&1 </dev/null; then
      cat "$log" >&2
      die "npm install into .tools/ failed (log: $log)"
    fi
    if [ "$need_node" = 1 ] && ! node_ok "$TOOLS_BIN/node"; then
      cat "$log" >&2
      die "Node $NODE_WANT did not install into .tools/ (log: $log)"
    fi
    if [ "$(pkg_version "$TOOLS/node_modules/pnpm")" != "$PNPM_WANT" ]; then
      cat "$log" >&2
      die "pnpm $PNPM_WANT did not install into .tools/ (log: $log)"
    fi
  fi
  PATH="$TOOLS_BIN:$PATH"
  export PATH
fi

node_v=$(node -v)
pnpm_v=$(pnpm --version </dev/null)
[ "$pnpm_v" = "$PNPM_WANT" ] || die "pnpm on PATH is $pnpm_v, expected $PNPM_WANT"
say "using node $node_v, pnpm $pnpm_v"

# 3. Dependencies. Output goes to a log and is shown only when the install fails.
if [ -f pnpm-lock.yaml ]; then
  lockflag=--frozen-lockfile
else
  lockflag=
fi
mkdir -p node_modules
log="$ROOT/node_modules/.kaged-install.log"
say "pnpm install $lockflag ..."
# shellcheck disable=SC2086 # $lockflag may be empty
if ! pnpm install $lockflag --reporter=append-only --config.confirm-modules-purge=false >"$log" 2>&1 </dev/null; then
  cat "$log" >&2
  die "pnpm install failed"
fi

if [ "$used_tools" = 1 ]; then
  say "to use this Node/pnpm in your shell: export PATH=\"$TOOLS_BIN:\$PATH\""
fi

# 4. Dispatch.
case $cmd in
  start)
    say "building ..."
    pnpm run build </dev/null
    say "starting the daemon on examples/hello"
    exec node apps/daemon/dist/cli.js start --project examples/hello "$@"
    ;;
  test)
    exec pnpm run test:run "$@"
    ;;
esac
