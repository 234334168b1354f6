"""schemathesis against the OpenAPI schema of the running server: a real uvicorn on
loopback over a real SQLite store holding the seed, every operation, with and without a
token. No generated request may get a 5xx. Bounded: SCHEMATHESIS_EXAMPLES examples per
operation and auth mode (default 50: 22 runs, about 20 s on 2 cores)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus import SEED_TXT

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from conflictlens.server import create_app  # noqa: E402
from conflictlens.store import Store  # noqa: E402

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "50"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, write token) of a real server over a store holding the seed."""
    import uvicorn

    from conflictlens.pipeline import extract_file
    from conflictlens.stages.ingest import read_file

    db = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    with Store.open(db) as store:
        token = store.create_token("fuzzer")
        store.add_result(read_file(SEED_TXT), extract_file(SEED_TXT))
    port = _free_port()
    config = uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="error")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "the server did not start"
    yield f"http://127.0.0.1:{port}", token
    srv.should_exit = True
    thread.join(timeout=10)


def _schema():
    """The app's own OpenAPI document (read at collection, from a throwaway store)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Path(tmp) / "schema.db")
        document = app.openapi()
    return schemathesis.openapi.from_dict(document)


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same cases on every run: a failure here is a real regression
)
@pytest.mark.parametrize("with_token", [False, True], ids=["anonymous", "token"])
def test_no_generated_request_gets_a_server_error(case, server, with_token) -> None:
    base_url, token = server
    headers = {"Authorization": f"Bearer {token}"} if with_token else {}
    response = case.call(base_url=base_url, headers=headers, timeout=60)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
    )
