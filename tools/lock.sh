#!/usr/bin/env bash
# Refresh the lock: every dependency of pyproject.toml, direct and indirect, resolved anew to its
# newest release that the ranges allow, pinned with hashes, for every supported Python (3.11+) and
# platform. Run the tests after (bash .ci/run), and commit pyproject.toml with requirements/.
#
#   bash tools/lock.sh             newest releases
#   bash tools/lock.sh --lowest    the lowest releases pyproject.toml allows, into /tmp (to check its lower bounds)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check uv
uv=(.venv/bin/python -m uv pip compile pyproject.toml --universal --python-version 3.11 --quiet)
if [ "${1:-}" = "--lowest" ]; then
  "${uv[@]}" --extra test --resolution lowest-direct -o /tmp/explainer-lowest.txt
  echo "wrote /tmp/explainer-lowest.txt: install it in a throwaway venv and run the tests"
  exit 0
fi
"${uv[@]}" --upgrade --generate-hashes -o requirements/site.txt
"${uv[@]}" --upgrade --generate-hashes --extra test -o requirements/test.txt
"${uv[@]}" --upgrade --generate-hashes --extra bench -o requirements/bench.txt
echo "requirements/{site,test,bench}.txt refreshed"
