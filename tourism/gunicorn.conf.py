"""gunicorn's settings for Medtour: ``make serve`` and the README's deployment command use them
(``gunicorn tourism.wsgi --config tourism/gunicorn.conf.py``). Options given on the command line
win over these.

Each worker process runs its requests in threads (the ``gthread`` worker). With gunicorn's
default sync workers one slow client holds a whole process: a few connections sending their body
a byte a second left no worker for anyone else (``/healthz`` waited half a minute), and because a
sync worker cannot report to the master while it reads, an honest upload that takes longer than
``timeout`` was killed half-way and lost. Here a slow client holds one thread; the worker's main
loop keeps answering the master, so ``timeout`` only ends a worker that has really hung.

Threads still run out (``workers`` x ``threads`` slow clients take them all), so in production a
proxy in front buffers each request whole before it reaches gunicorn (README, "Deploying").
"""

import os

worker_class = "gthread"
# Requests at once per worker process. Each thread has its own database connection, so a server
# may hold up to WEB_CONCURRENCY x MEDTOUR_WEB_THREADS of them while DATABASE_CONN_MAX_AGE keeps
# them open: PostgreSQL's max_connections must allow that, over every server.
threads = int(os.environ.get("MEDTOUR_WEB_THREADS", "8"))
# workers: gunicorn reads WEB_CONCURRENCY itself (`make serve` sets it from the number of cores).

# Seconds without a sign of life from a worker's main loop before the master restarts it. Slow
# request bodies do not count against it with threads (see above).
timeout = 30
graceful_timeout = 30

accesslog = "-"
# A fresh process now and then, at staggered moments, so a slow leak never grows large.
max_requests = 2000
max_requests_jitter = 200
# gunicorn 24+ opens a control socket at one path shared by every gunicorn on the machine; we use
# none, and two sites (or a bench beside the site) must not collide on it.
control_socket_disable = True
