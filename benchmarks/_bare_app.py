"""The baseline for bench_intake_http.py: a bare Flask endpoint doing one INSERT + COMMIT.

Served by gunicorn like the real app, against the same PostgreSQL server and
database, with the same pool settings as ``outreach.db.get_engine``: the
cheapest a JSON POST that lands in the database can be on this machine. The
request body is parsed and stored, so JSON decoding and one round trip with
a commit are part of the baseline – what intake cannot avoid either.
"""

from __future__ import annotations

import json
import os
from typing import Any

from flask import Flask, jsonify, request
from sqlalchemy import Engine, create_engine, text

TABLE = "bench_bare_inserts"
CREATE = f"CREATE TABLE IF NOT EXISTS {TABLE} (id SERIAL PRIMARY KEY, body TEXT NOT NULL)"

app = Flask(__name__)
_engines: dict[int, Engine] = {}


def _engine() -> Engine:
    """One engine per gunicorn worker, made in the worker (never shared across a fork)."""
    engine = _engines.get(os.getpid())
    if engine is None:
        engine = create_engine(
            os.environ["DATABASE_URL"], pool_pre_ping=True, pool_size=5, max_overflow=5
        )
        _engines[os.getpid()] = engine
    return engine


@app.post("/bare")
def bare() -> Any:
    body = request.get_json()
    with _engine().connect() as conn:
        row_id = conn.execute(
            text(f"INSERT INTO {TABLE} (body) VALUES (:body) RETURNING id"),
            {"body": json.dumps(body)},
        ).scalar_one()
        conn.commit()
    response = jsonify({"id": row_id})
    response.status_code = 201
    return response
