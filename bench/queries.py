"""SQL statements per request, row by row: the mix run in-process with Flask's test client and a counter."""
import contextlib

from data import BenchError
from mix import check

PASSWORD = "cubby-demo"


@contextlib.contextmanager
def capturing(database):
    """Every (sql, params) the database runs inside the block, in a list."""
    original = database.execute_sql
    statements = []

    def execute_sql(sql, params=None, *args, **kwargs):
        statements.append((sql, params))
        return original(sql, params, *args, **kwargs)

    database.execute_sql = execute_sql
    try:
        yield statements
    finally:
        database.execute_sql = original


def per_row(database_url, plans, rows, repeats=2):
    """{row name: [[(sql, params)] of each request]}: each plan's rows run `repeats` times (a write and its undo)."""
    from webapp import create_app
    from webapp.extensions import db

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench queries", "WTF_CSRF_ENABLED": False,
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})
    captured = {row.name: [] for row in rows}
    for plan in plans:
        client = app.test_client()
        signed_in = client.post("/sign-in", data={"email": plan.email, "password": PASSWORD})
        if signed_in.status_code != 303:
            raise BenchError(f"{plan.email} could not sign in in-process ({signed_in.status_code})")
        client.get("/home")  # the first page after signing in sets the CSRF seed: not a steady-state request
        for row in rows:
            for _ in range(repeats):
                request = row.request(plan)
                with capturing(db.obj) as statements:
                    response = client.open(request.path, method=request.method, headers=request.headers,
                                           data=request.form)
                problem = check(row, request, response.status_code, response.get_data(as_text=True))
                if problem:
                    raise BenchError(f"in-process: {problem}")
                if row.done:
                    row.done(plan)
                captured[row.name].append(statements)
    db.close()
    db.obj.close_all()
    return captured


def counts(captured):
    """{row name: mean statements per request}."""
    return {name: sum(map(len, requests)) / len(requests) for name, requests in captured.items() if requests}
