#!/usr/bin/env bash
# The checks that need an NVIDIA GPU, as one run that fits a short GPU lease.
#
# Run from the repository root on a machine with CuPy and PyTorch (CUDA):
#
#     bash benchmarks/gpu_check.sh            # logs under ${OUT:-gpu-check}/
#
# Wheels of packages the machine lacks (array-api-compat) may wait in .whl/:
# they are installed into /tmp/site first.
# 1. The jit tests and the core suites on CuPy and on PyTorch CUDA tensors
#    (the whole suite takes longer than a lease: run `nox -s tests-cupy` for it).
#    On CuPy these include the jit tests with CuPy's own CUDA graphs.
# 2. benchmarks/mlp_step.py with --jit: the launch-bound MLP (784-1000-1000-10,
#    batch 256) and the compute-bound one (4096^4, batch 4096), xgrad eager and
#    jitted on CuPy (plain and with --graphs) and on PyTorch CUDA, against
#    PyTorch's own autograd.
#
# Each part has its own time limit (490 s together, inside one 600 s command),
# so one that hangs leaves the others their time; every log lands in the
# output folder whatever happens.
set -u
out="${OUT:-gpu-check}"
mkdir -p "$out"
python="${PYTHON:-python3}"
if compgen -G ".whl/*.whl" >/dev/null; then
    "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
        --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv >"$out/gpu.txt" 2>&1
"$python" - >>"$out/gpu.txt" 2>&1 <<'EOF'
import cupy, torch, numpy
print("cupy", cupy.__version__, "torch", torch.__version__, "numpy", numpy.__version__)
EOF

core="tests/test_jit.py tests/test_core.py tests/test_ops.py tests/test_optimizers.py tests/test_training.py"
timeout 150 "$python" -m pytest $core -q -p no:cacheprovider --backend cupy \
    >"$out/tests-cupy.txt" 2>&1
timeout 120 "$python" -m pytest $core -q -p no:cacheprovider --backend torch \
    --device torch:cuda >"$out/tests-torch-cuda.txt" 2>&1

for device in cupy torch:cuda; do
    graphs=""
    [ "$device" = cupy ] && graphs=--graphs
    timeout 40 "$python" benchmarks/mlp_step.py --jit $graphs --xgrad-device "$device" \
        --torch-device cuda --repeats 51
    timeout 70 "$python" benchmarks/mlp_step.py --jit $graphs --xgrad-device "$device" \
        --torch-device cuda --sizes 4096,4096,4096,4096 --batch 4096 --repeats 11
done >"$out/mlp_step.txt" 2>&1

for log in "$out"/tests-*.txt; do echo "== $log"; tail -n 3 "$log"; done
cat "$out/gpu.txt" "$out/mlp_step.txt"
