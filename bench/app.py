"""The app exactly as `wsgi.py` serves it (imported from there), plus two things the benchmark needs:

- `/hello`, a hello-world route on the same app, behind the same middleware and hooks, served by the
  same gunicorn: the reference every page's throughput is divided by;
- the number of SQL statements a request sent through SQLAlchemy, in an `X-Bench-Queries` response
  header; a request with `X-Bench-Cold: 1` first empties the stored public responses, so that the
  statements of a real render can be counted too.

    gunicorn -w 2 bench.app:app
"""

import threading

from sqlalchemy import event

from assess.extensions import db
from wsgi import app

_counter = threading.local()


@app.get("/hello")
def hello() -> str:
    return "Hello, World!"


_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    """Statements as the test suite counts them (tests/queue_data.py): transaction control aside."""
    if not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
        _counter.statements += 1


with app.app_context():
    event.listen(db.engine, "before_cursor_execute", _count)


class CountQueries:
    """Outermost, so the header is never part of a stored response."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        _counter.statements = 0
        if environ.get("HTTP_X_BENCH_COLD"):
            app.extensions["assess_public_responses"].store.clear()
            app.extensions["assess_fragments"].clear()

        def counted(status, headers, exc_info=None):
            headers.append(("X-Bench-Queries", str(_counter.statements)))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, counted)


app.wsgi_app = CountQueries(app.wsgi_app)
