"""Gunicorn settings for production: `gunicorn wsgi:app` reads this file from the working directory.

Every setting can be changed from the environment without editing the file.
The application keeps no state in process memory that another process needs
(sessions are signed cookies, limits are in Redis, rankings in the database,
the matching engine is resynchronised from the database), so any number of
workers, and of machines, may serve the same users.
"""

import multiprocessing
import os

# Where to listen: the reverse proxy (nginx) forwards to this address.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Workers are processes; each keeps its own fitted matching engine (it is
# refitted from the database when offers change). Two per core is a fair
# start for a site that waits mostly on PostgreSQL.
workers = int(os.environ.get("GUNICORN_WORKERS", str(min(2 * multiprocessing.cpu_count(), 8))))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))

# Ranking a need or refreshing rankings after an offer change can take a few
# seconds on a large collection; a stuck worker is killed after `timeout`.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM (systemctl stop, a container stopping) requests in flight may finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Access log to stdout (journald or the container runtime keeps it); "-" is stdout.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client's address as the proxy forwarded it (%({x-forwarded-for}i)s), then the usual.
access_log_format = '%({x-forwarded-for}i)s %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss'

# Which proxies may tell gunicorn the request came over https (X-Forwarded-Proto).
# The application's own ProxyFix (PROXY_COUNT) sets the client's address for
# the login limits; keep both pointed at the same proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Load the application in each worker, after the fork: no database connection
# or fitted engine is shared across processes by accident.
preload_app = False
# Restart workers now and then, so that a slow leak never grows for weeks;
# rarely, since a new worker fits its matching engine afresh (seconds of CPU at
# 10,000 offers, taken from the requests of the other workers meanwhile): at
# 2,000 requests a 50-user load restarted a worker every two minutes.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "5000"))
# Gunicorn 24+ opens a control socket at one fixed path per user: several
# instances on one host (a blue/green switch, the deployment tests) would
# fight over it, and nothing here uses it.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "") != "1"


def post_worker_init(worker):
    """Fit the matching engine in each worker before it takes requests, so that
    no user's first submission waits for the fit, and freeze it out of the
    garbage collector's full walks (0.2 s pauses of every thread of the
    worker at 10,000 offers); see matches.services.warm_up."""
    from portal.matches.services import warm_up

    warm_up(worker.wsgi)
