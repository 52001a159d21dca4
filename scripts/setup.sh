#!/usr/bin/env bash
# The README's install command (`npm run setup`): everything a fresh Debian machine needs to
# build CloudTrail Lens and run all of its tests, then the VSIX itself.
#  - system packages the tests need (Chromium for the e2e tier; code-server's native modules)
#  - npm dependencies, exactly as locked
#  - code-server 4.100.3 (a real VS Code for the integration and e2e tiers), outside the repo
#  - the VSIX: cloudtrail-lens.vsix
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=""
  for p in chromium libkrb5-dev pkg-config ripgrep jq fonts-liberation; do
    dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
  done
  if [ -n "$need" ]; then
    echo "setup: installing system packages:$need"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
  fi
else
  echo "setup: not root (or no apt-get): make sure chromium is installed for the e2e tests" >&2
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund

echo "setup: code-server (for the integration and e2e tests)"
bash scripts/install-code-server.sh

echo "setup: building the VSIX"
npm run --silent package
echo "setup: done: $(ls -1 cloudtrail-lens.vsix)"
