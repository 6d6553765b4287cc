"""Keras NASNetMobile inference in graph mode (tf.function), for bench/pytorch-side-by-side.bench.ts.

Usage: python keras_nasnet_mobile.py THREADS RUNS BATCH... -> one JSON line. Random weights (weights=None:
nothing is downloaded); inference time does not depend on the weights' values.
"""
import json
import sys
import time

import tensorflow as tf

threads, runs, batches = int(sys.argv[1]), int(sys.argv[2]), [int(b) for b in sys.argv[3:]]
tf.config.threading.set_intra_op_parallelism_threads(threads)
tf.config.threading.set_inter_op_parallelism_threads(1)
model = tf.keras.applications.NASNetMobile(weights=None, input_shape=(224, 224, 3), classes=1000)
forward = tf.function(lambda x: model(x, training=False))
out = {"tensorflow": tf.__version__, "keras": tf.keras.__version__ if hasattr(tf.keras, "__version__") else "", "infer": []}
for b in batches:
    x = tf.random.normal((b, 224, 224, 3))
    forward(x).numpy()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(runs):
        forward(x).numpy()
    out["infer"].append({"batch": b, "runs": runs, "msPerBatch": 1000 * (time.perf_counter() - t0) / runs, "cpuMsPerBatch": 1000 * (time.process_time() - c0) / runs})
print(json.dumps(out))
