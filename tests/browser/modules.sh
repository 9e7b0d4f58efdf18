# Sourced by the browser test scripts: installs playwright-core (pinned in
# package.json) into $1/browser-test with npm, once per package.json
# change, and sets $mods to that folder.
browser_modules() {
  local build=$1 here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  command -v npm >/dev/null || { echo "$0: npm not found" >&2; exit 2; }
  mods="$build/browser-test"
  mkdir -p "$mods"
  if ! cmp -s "$here/package.json" "$mods/package.json" || [ ! -d "$mods/node_modules/playwright-core" ]; then
    cp "$here/package.json" "$mods/package.json"
    if [ -f "$here/package-lock.json" ]; then cp "$here/package-lock.json" "$mods/package-lock.json"; fi
    (cd "$mods" && npm install --no-audit --no-fund --loglevel=error)
  fi
}
