"""gunicorn settings read from the repository root (``gunicorn wsgi:app`` finds this file)."""


def post_worker_init(worker):
    """Fit the matching engine in each worker before it takes requests (see matches.services.warm_up)."""
    from portal.matches.services import warm_up

    warm_up(worker.wsgi)
