"""The README's Python examples, run as they are written (from the repository root, as
a user who cloned it would): a snippet that stops working fails the suite."""

from __future__ import annotations

import contextlib
import io
import re

import pytest
from corpus import ROOT

README = ROOT / "README.md"
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def snippets() -> list[str]:
    return FENCE.findall(README.read_text(encoding="utf-8"))


def test_the_readme_has_python_examples():
    assert len(snippets()) >= 2


def test_the_readme_python_examples_run(monkeypatch):
    pytest.importorskip("pandas")  # the to_dataframe example needs the [pandas] extra
    monkeypatch.chdir(ROOT)
    namespace: dict = {"__name__": "__readme__"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for code in snippets():
            exec(compile(code, str(README), "exec"), namespace)  # noqa: S102 - our own docs
    out = printed.getvalue()
    # what the examples print: the seed's events, then the batch with its failed item
    assert "Battles/Armed clash" in out
    assert "Tehrik-i-Taliban Pakistan" in out
    assert "<item 2> empty document" in out
    assert "Quetta" in out and "Lagos" in out
    assert namespace["record"]["events"] and len(namespace["frame"]) >= 2
