#!/usr/bin/env bash
# Validates the deployment files: Kubernetes manifests against the Kubernetes JSON schemas
# (kubernetes-validate, from PyPI, which bundles them; --strict refuses unknown fields), every
# YAML file parses, and the POSIX shell scripts pass `sh -n`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v kubernetes-validate >/dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check kubernetes-validate
manifests=$(ls deploy/k8s/*.yaml | grep -v kustomization.yaml)
# shellcheck disable=SC2086
kubernetes-validate --strict $manifests
python3 - <<'PY'
import glob, yaml
files = glob.glob("deploy/**/*.y*ml", recursive=True) + ["docker-compose.yml"]
for name in files:
    with open(name) as f:
        list(yaml.safe_load_all(f))
print(f"{len(files)} YAML files parse")
PY
for script in deploy/postgres/*.sh; do sh -n "$script"; done
echo "deployment files valid"
