"""ONNX Runtime sessions for the project's encoders: the one place that decides threads.

Inference never imports PyTorch: the fine-tuned encoders are exported to ONNX by
``make train`` and run here. One intra-op thread per session, because the pipeline
already runs one worker process per core (more threads only fight over the cores:
measured for OpenBLAS in ``conflictlens.stages.analyse``, the same holds here).
"""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def session(path: str | Path, threads: int = 1):
    """A cached inference session over the ONNX file at ``path``."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
