"""serve: the HTTP API (OpenAPI at /docs) and the analyst dashboard, in one FastAPI app.

    from conflictlens.server import create_app, load_config
    app = create_app("conflictlens.db", load_config("server.toml"))

``conflictlens serve`` runs it under uvicorn; ``conflictlens token create NAME`` makes the
API tokens that writes (ingest, review) need.
"""

from conflictlens.server.app import create_app
from conflictlens.server.config import ServerConfig, load_config

__all__ = ["ServerConfig", "create_app", "load_config"]
