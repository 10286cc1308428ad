#!/bin/sh
# paths_cited: every file the README and the man page name is there. Paths under examples/,
# docs/, bench/ and scripts/ in README.md must exist in the source tree; paths under examples/
# in polyevolve.1 must also be installed (cmake --install into a temporary prefix puts them in
# PREFIX/share/polyevolve/examples, where the page says they are).
# Usage: paths_cited.sh BUILD_DIR SOURCE_DIR
set -u
B=${1:?usage: paths_cited.sh BUILD_DIR SOURCE_DIR}
S=${2:?usage: paths_cited.sh BUILD_DIR SOURCE_DIR}
T=$(mktemp -d "${TMPDIR:-/tmp}/pe-paths.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# cited FILE DIRS: the paths (or patterns) under DIRS that FILE names (troff escapes removed)
cited() {
    sed -e 's/\\-/-/g' -e 's/\\%//g' -e 's/\\f[BIRP]//g' "$1" |
        grep -oE "(^|[^A-Za-z0-9_./-])($2)/[A-Za-z0-9_./*-]*" | sed -E 's/^[^a-z]//; s/[.]+$//' | sort -u
}

n=0
for p in $(cited "$S/README.md" 'examples|docs|bench|scripts'); do
    n=$((n + 1))
    # a pattern (docs/artist/mask-*.png) must match something
    # shellcheck disable=SC2086
    [ -n "$(cd "$S" && ls -d $p 2>/dev/null)" ] || fail "README.md names $p, which is not in the source tree"
done
echo "README.md: $n paths checked"

cmake --install "$B" --prefix "$T/p" >"$T/install.log" 2>&1 || { cat "$T/install.log"; echo "FAIL: cmake --install"; exit 1; }
ex="$T/p/share/polyevolve/examples"
grep -q 'share/polyevolve/examples' "$S/polyevolve.1" || fail "polyevolve.1 does not say where the examples are installed"
n=0
for p in $(cited "$S/polyevolve.1" 'examples'); do
    n=$((n + 1))
    [ -e "$S/$p" ] || fail "polyevolve.1 names $p, which is not in the source tree"
    [ -e "$ex/${p#examples/}" ] || fail "polyevolve.1 names $p, which is not installed in share/polyevolve/examples"
    case $p in *.sh | *.sbatch) [ -x "$ex/${p#examples/}" ] || fail "$p is installed without its executable bit" ;; esac
done
echo "polyevolve.1: $n example paths checked against the installed tree"
[ "$fails" -eq 0 ] && echo "paths_cited: all checks passed"
[ "$fails" -eq 0 ]
