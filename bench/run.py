"""``make bench``: measured speed of the public pages on 1,000 and on 100,000 facilities.

For each dataset (its own SQLite file and media under ``var/bench-1k/`` and ``var/bench-100k/``,
built on the first run and reused, topped up if accreditations have since lapsed):

1. ``manage.py bench_pages`` (a ``facilities`` command) times every page in-process (Django test
   client, DEBUG off): queries per page, median and 95th-percentile time;
2. gunicorn is started on a free loopback port with production settings and the bench database,
   and ``bench.load`` measures requests per second of each page beside ``/healthz`` (same server,
   same run), then quote submissions per second from several clients, checking that every
   submission answered with the confirmation redirect was saved and that nothing failed;
3. the server is stopped (always: ``finally``, and on Ctrl-C or SIGTERM).

Then the coordinators' pages (``manage.py bench_staff``, a ``quotes`` command): the request list
with each filter, search and sort and its last page, a request's page, the dashboard and the
busiest portal inbox, with 1,000 and with 200,000 quote requests and their history
(``generate_requests``, built once in ``var/bench-staff-1k/`` and ``var/bench-staff-200k/``);
``--only-staff`` measures just those.

Then one table per dataset and a comparison against the targets. Figures are printed (and
written to ``var/bench-results.json``); target misses are flagged, not failed. The exit status
is non-zero only when the benchmark itself could not run or a submission was lost or failed.

With ``DATABASE_URL`` set to a PostgreSQL server and ``--postgres``, the same datasets are also
built in two databases of their own on that server (``<name>_bench_1k``, ``<name>_bench_100k``),
never in the database the URL names.
"""

import argparse
import json
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from bench.load import Connection, LoadResult, hammer, submit_quotes

try:
    import gunicorn
    import gunicorn.config
except ImportError:  # Reported by main().
    gunicorn = None

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PYTHON = sys.executable
STATIC_ROOT = VAR / "bench-static"
RESULTS = VAR / "bench-results.json"

TIME_RATIO_TARGET = 1.5  # 100k time / 1k time
THROUGHPUT_TARGET = 0.25  # page req/s / healthz req/s
HUGE = str(10**9)
WARM_UP_BELOW_MS = 1000
HEALTHZ = "/healthz"

# Variables the site reads; cleared so a developer's shell cannot point the bench at other data.
SITE_PREFIXES = ("DJANGO_", "MEDTOUR_", "DATABASE_")
SITE_VARIABLES = {"REDIS_URL"}

# Every process started here, so that none outlives the run.
STARTED: list[subprocess.Popen] = []


@dataclass(frozen=True)
class Dataset:
    name: str
    facilities: int
    data_dir: Path
    database_url: str = ""  # Empty: SQLite in data_dir.

    @property
    def vendor(self) -> str:
        return "postgresql" if self.database_url else "sqlite"


def say(text: str = "") -> None:
    print(text, flush=True)


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(SITE_PREFIXES) and k not in SITE_VARIABLES}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def site_env(dataset: Dataset) -> dict[str, str]:
    """What every process of one dataset shares: its data, its database, quiet logs, no mail sent."""
    env = base_env()
    env.update(
        MEDTOUR_DATA_DIR=str(dataset.data_dir),
        DJANGO_STATIC_ROOT=str(STATIC_ROOT),
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    if dataset.database_url:
        env["DATABASE_URL"] = dataset.database_url
    return env


def in_process_env(dataset: Dataset) -> dict[str, str]:
    return {**site_env(dataset), "DJANGO_ALLOWED_HOSTS": "testserver", "DJANGO_DEBUG": "false"}


def server_env(dataset: Dataset, *, production: bool) -> dict[str, str]:
    env = {
        **site_env(dataset),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_DEBUG": "false",
        # The bench clients fill the form in at once, and all come from 127.0.0.1.
        "MEDTOUR_QUOTE_MIN_FILL_SECONDS": "0",
        "MEDTOUR_QUOTE_RATE_PER_HOUR": HUGE,
        "MEDTOUR_QUOTE_RATE_PER_DAY": HUGE,
    }
    if production:
        # A key made for this run only; plain HTTP on loopback, so no redirect to HTTPS.
        env.update(
            DJANGO_ENV="production",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_SECURE_SSL_REDIRECT="false",
            MEDTOUR_SITE_URL="http://127.0.0.1",
            # Nobody is mailed from a bench run; said by name, as production requires.
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
    else:
        env["DJANGO_ENV"] = "development"
    return env


def manage(*args: str, env: dict[str, str], capture: bool = False) -> str:
    command = [PYTHON, "manage.py", *args]
    completed = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        command, cwd=ROOT, env=env, check=True, text=True, stdout=subprocess.PIPE if capture else None
    )
    return completed.stdout or ""


def quote_request_count(dataset: Dataset) -> int:
    code = "from quotes.models import QuoteRequest; print(QuoteRequest.objects.count())"
    return int(manage("shell", "-v0", "-c", code, env=in_process_env(dataset), capture=True).split()[-1])


# The server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (master and workers), then SIGKILL if it lingers."""
    if proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
    if proc in STARTED:
        STARTED.remove(proc)


def stop_all() -> None:
    for proc in list(STARTED):
        stop(proc)


def start_server(dataset: Dataset, *, workers: int, production: bool, log_path: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "tourism.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        "--timeout=120",
        "--graceful-timeout=5",
        "--log-level=warning",
    ]
    # gunicorn 24+ opens a control socket at one shared path by default; a bench server needs none.
    if any("--no-control-socket" in (setting.cli or []) for setting in gunicorn.config.KNOWN_SETTINGS):
        command.append("--no-control-socket")
    with log_path.open("w") as log:
        # Its own session: the whole group (master and workers) is stopped together.
        proc = subprocess.Popen(  # noqa: S603 (our own interpreter and gunicorn)
            command,
            cwd=ROOT,
            env=server_env(dataset, production=production),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    STARTED.append(proc)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        conn = Connection("127.0.0.1", port)
        try:
            response, _body = conn.request("GET", "/healthz")
            if response.status == 200:
                return proc, port
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.3)
    stop(proc)
    tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
    raise RuntimeError(f"gunicorn did not answer /healthz with 200 within 60 s; its log ends:\n{tail}")


def warm(port: int, path: str, workers: int) -> None:
    """A request per worker first, so templates and caches are not measured cold."""
    hammer("127.0.0.1", port, path, seconds=60, concurrency=workers, max_requests=workers)


def load_test(dataset: Dataset, pages: dict, args, log_path: Path) -> dict:
    """Requests per second of each page beside /healthz, then concurrent quote submissions."""
    production = True
    try:
        proc, port = start_server(dataset, workers=args.workers, production=True, log_path=log_path)
    except RuntimeError as exc:
        say(f"  production settings did not start ({exc}); retrying with DJANGO_ENV=development, DEBUG off")
        production = False
        proc, port = start_server(dataset, workers=args.workers, production=False, log_path=log_path)
    mode = "DJANGO_ENV=production" if production else "DJANGO_ENV=development, DEBUG off"
    say(f"  gunicorn on 127.0.0.1:{port}, {args.workers} sync workers, {mode}")
    try:

        def measure(path: str, in_process_ms: float = 0.0) -> LoadResult:
            # Warming a page that takes seconds would cost more than a cold template could skew it.
            if in_process_ms < WARM_UP_BELOW_MS:
                warm(port, path, args.workers)
            result = hammer("127.0.0.1", port, path, seconds=args.seconds, concurrency=args.concurrency)
            problems = f", {result.failed} failed {dict(result.errors) or ''}" if result.failed else ""
            say(f"  {path[:60]:<62}{result.per_second:>9.1f} req/s  ({result.ok} in {result.seconds:.1f} s{problems})")
            return result

        health = [measure(HEALTHZ)]
        throughput = {}
        for page in pages["pages"]:
            if page["url"] != HEALTHZ:
                throughput[page["label"]] = measure(page["url"], page["median_ms"])
        health.append(measure(HEALTHZ))

        before = quote_request_count(dataset)
        fields = {
            "name": "Bench Patient",
            "phone": "+44 20 7946 0000",
            "country_of_residence": "GB",
            "preferred_language": "en",
            "procedure": pages["sample"]["procedure"],
            "facilities": pages["sample"]["facility"],
            "budget_currency": "USD",
            "condition": "Lower back pain for two years, worse when sitting; numbness in the left leg.",
            "consent_health_data": "on",
            "consent_sharing": "on",
        }
        quotes = submit_quotes("127.0.0.1", port, fields=fields, seconds=args.seconds, clients=args.concurrency)
        saved = quote_request_count(dataset) - before
        say(
            f"  quote submissions: {quotes.posted} sent, {quotes.redirected} confirmed, {saved} saved, "
            f"{quotes.failed} failed: {quotes.per_second:.1f}/s"
        )
        if quotes.first_problem:
            say(f"  first problem: {quotes.first_problem}")
    finally:
        stop(proc)
    healthz = sum(r.per_second for r in health) / len(health)
    return {
        "mode": mode,
        "workers": args.workers,
        "healthz": [round(r.per_second, 1) for r in health],
        "healthz_per_second": round(healthz, 1),
        "pages": {
            label: {
                "per_second": round(r.per_second, 2),
                "ratio": round(r.per_second / healthz, 4) if healthz else 0.0,
                "requests": r.ok,
                "failed": r.failed,
                "errors": dict(r.errors),
                "statuses": {str(k): v for k, v in r.statuses.items()},
                "median_ms_under_load": round(r.median_ms, 1),
            }
            for label, r in throughput.items()
        },
        "quotes": {
            "clients": args.concurrency,
            "seconds": round(quotes.seconds, 2),
            "forms_fetched": quotes.forms_fetched,
            "posted": quotes.posted,
            "confirmed": quotes.redirected,
            "saved": saved,
            "failed": quotes.failed,
            "errors": dict(quotes.errors),
            "statuses": {str(k): v for k, v in quotes.statuses.items()},
            "per_second": round(quotes.per_second, 2),
            "first_problem": quotes.first_problem,
        },
    }


# One dataset ------------------------------------------------------------------------------------


def run_dataset(dataset: Dataset, args) -> dict:
    say(f"\n== {dataset.name}: {dataset.facilities:,} facilities ({dataset.vendor}, {dataset.data_dir}) ==")
    dataset.data_dir.mkdir(parents=True, exist_ok=True)
    env = in_process_env(dataset)
    started = time.perf_counter()
    manage("migrate", "--noinput", "-v0", env=env)
    # Reference data, the demo facilities (with photos) and, through bench_pages, the synthetic
    # ones; each step only adds what is missing, so a built dataset is reused as it is.
    manage("load_demo", "--no-requests", env=env)
    pages_json = dataset.data_dir / "pages.json"
    manage(
        "bench_pages",
        f"--facilities={dataset.facilities}",
        f"--repeat={args.repeat}",
        f"--max-seconds={args.page_seconds}",
        f"--json={pages_json}",
        env=env,
    )
    pages = json.loads(pages_json.read_text())
    say(f"  in-process part took {time.perf_counter() - started:.0f} s")
    server = load_test(dataset, pages, args, dataset.data_dir / "gunicorn.log")
    return {"dataset": dataset.name, "facilities": dataset.facilities, "in_process": pages, "server": server}


PORTAL_DIR = VAR / "bench-portal"


def run_portal(args) -> list[dict]:
    """The partner portal's pages for a facility with 10 cases and one with 10,000 (its own SQLite)."""
    dataset = Dataset("portal", 0, PORTAL_DIR)
    say(f"\n== partner portal: 10 and 10,000 cases ({dataset.data_dir}) ==")
    dataset.data_dir.mkdir(parents=True, exist_ok=True)
    env = in_process_env(dataset)
    manage("migrate", "--noinput", "-v0", env=env)
    figures = dataset.data_dir / "portal.json"
    manage("bench_portal", f"--repeat={args.repeat}", f"--json={figures}", env=env)
    return json.loads(figures.read_text())


def run_staff(args, datasets: list[Dataset]) -> list[dict]:
    """The coordinators' pages at ``--staff-small`` and ``--staff-large`` requests (``bench_staff``).

    Each size in a database of its own (``var/bench-staff-<size>/``, and on PostgreSQL with
    ``--postgres``), built once with ``generate_requests`` and reused.
    """
    figures = []
    for dataset in datasets:
        say(f"\n== staff pages: {dataset.name} ({dataset.vendor}, {dataset.data_dir}) ==")
        dataset.data_dir.mkdir(parents=True, exist_ok=True)
        env = in_process_env(dataset)
        started = time.perf_counter()
        manage("migrate", "--noinput", "-v0", env=env)
        manage("load_demo", "--no-requests", "--no-photos", env=env)
        out = dataset.data_dir / "staff.json"
        manage(
            "bench_staff",
            f"--requests={dataset.facilities}",
            f"--repeat={args.repeat}",
            f"--max-seconds={args.page_seconds}",
            f"--json={out}",
            env=env,
        )
        say(f"  took {time.perf_counter() - started:.0f} s")
        figures.append({"dataset": dataset.name, "vendor": dataset.vendor, **json.loads(out.read_text())})
    return figures


def print_staff(figures: list[dict]) -> list[str]:
    """The staff pages at both sizes side by side, with the ratio; the misses against the target."""
    misses = []
    for small, large in zip(figures[::2], figures[1::2], strict=True):
        say(
            f"\nStaff pages, {small['vendor']}: {small['requests']:,} against {large['requests']:,} requests "
            f"(median ms; target: within {TIME_RATIO_TARGET}x, the same queries)"
        )
        say(f"{'page':<36}{'queries':>12}{'small':>10}{'large':>10}{'ratio':>8}")
        for few, many in zip(small["pages"], large["pages"], strict=True):
            ratio = many["median_ms"] / few["median_ms"] if few["median_ms"] else float("inf")
            label = few["page"].split(" (")[0]
            queries = f"{few['queries']} / {many['queries']}"
            flag = ""
            if ratio > TIME_RATIO_TARGET or few["queries"] != many["queries"]:
                flag = "  <- miss"
                misses.append(f"staff {small['vendor']}: {label} {ratio:.1f}x ({queries} queries)")
            say(f"{label:<36}{queries:>12}{few['median_ms']:>10.1f}{many['median_ms']:>10.1f}{ratio:>7.1f}x{flag}")
    return misses


# Report -----------------------------------------------------------------------------------------


def flag(ok: bool) -> str:
    return "" if ok else "  MISS"


def print_dataset(result: dict) -> None:
    pages, server = result["in_process"], result["server"]
    say(
        f"\n{pages['listed_facilities']:,} listed facilities ({result['dataset']}, {pages['vendor']}); "
        f"gunicorn {server['workers']} workers, {server['mode']}"
    )
    say(f"{'':<39}{'without the cache':^28}{'with the cache':^28}{'under gunicorn':^22}")
    header = (
        f"{'page':<32}{'status':>7}{'queries':>8}{'median ms':>11}{'p95 ms':>9}"
        f"{'queries':>8}{'median ms':>11}{'p95 ms':>9}{'req/s':>9}{'vs /healthz':>13}"
    )
    say(header)
    say("-" * len(header))
    health = server["healthz"]
    for page in pages["pages"]:
        if page["url"] == HEALTHZ:
            say(
                f"{HEALTHZ:<32}{page['status']:>7}{page['queries']:>8}{page['median_ms']:>11.1f}"
                f"{page['p95_ms']:>9.1f}{page['cached_queries']:>8}{page['cached_median_ms']:>11.1f}"
                f"{page['cached_p95_ms']:>9.1f}{server['healthz_per_second']:>9.1f}{1:>13.3f}"
            )
            continue
        load = server["pages"][page["label"]]
        ok = load["ratio"] >= THROUGHPUT_TARGET and page["status"] == 200 and not load["failed"]
        say(
            f"{page['label']:<32}{page['status']:>7}{page['queries']:>8}{page['median_ms']:>11.1f}"
            f"{page['p95_ms']:>9.1f}{page['cached_queries']:>8}{page['cached_median_ms']:>11.1f}"
            f"{page['cached_p95_ms']:>9.1f}{load['per_second']:>9.1f}{load['ratio']:>13.3f}{flag(ok)}"
        )
    quotes = server["quotes"]
    lost = quotes["confirmed"] != quotes["saved"]
    say(
        f"/healthz measured before and after the pages: {health[0]:.1f} and {health[1]:.1f} req/s (mean used)\n"
        f"quote submissions, {quotes['clients']} clients for {quotes['seconds']:.1f} s (each: GET the form, POST it): "
        f"{quotes['posted']} sent, {quotes['confirmed']} answered 302 to the confirmation, {quotes['saved']} saved, "
        f"{quotes['failed']} errors: {quotes['per_second']:.1f} submissions/s"
        f"{flag(not lost and not quotes['failed'] and quotes['confirmed'] > 0)}"
    )


def why(page: dict, name: str) -> str:
    """Where the page's time goes at one size: its SQL, and the slowest query with its plan."""
    if not page.get("slowest_query"):
        return ""
    sql = page["slowest_query"]
    start = sql.find(" FROM ")
    shown = (sql[:40] + " ..." + sql[start : start + 110] if start > 40 else sql[:150]) + " ..."
    return (
        f"\n      at {name}: its queries, run again to the last row, take {page['sql_ms']:.0f} ms "
        f"(page median {page['median_ms']:.0f} ms); the slowest {page['slowest_query_ms']:.0f} ms: {shown}"
        f"\n      plan: {' | '.join(page['slowest_plan'][:6])}"
    )


def compare(small: dict, large: dict) -> list[str]:
    """The comparison table; returns the misses, one line per page, each saying by how much."""
    a, b = small["dataset"], large["dataset"]
    say(
        f"\n{b} against {a}. Targets: the same queries; {b} time <= {TIME_RATIO_TARGET}x {a} time; "
        f"throughput >= {THROUGHPUT_TARGET} of /healthz's"
    )
    groups = f"{'':<32}{'queries':^14}{'median ms, no cache':^23}{'median ms, cached':^23}{'req/s vs /healthz':^16}"
    header = f"{'page':<32}{a:>7}{b:>7}{a:>8}{b:>8}{'ratio':>7}{a:>8}{b:>8}{'ratio':>7}{a:>8}{b:>8}  misses"
    say(groups)
    say(header)
    say("-" * len(header))
    misses: list[str] = []
    by_label = {page["label"]: page for page in small["in_process"]["pages"]}
    for page in large["in_process"]["pages"]:
        if page["url"] == HEALTHZ:
            continue
        before = by_label[page["label"]]
        ratio = page["median_ms"] / before["median_ms"] if before["median_ms"] else float("inf")
        cached_ratio = (
            page["cached_median_ms"] / before["cached_median_ms"] if before["cached_median_ms"] else float("inf")
        )
        shares = {
            a: small["server"]["pages"][page["label"]]["ratio"],
            b: large["server"]["pages"][page["label"]]["ratio"],
        }
        flags, notes = [], []
        if page["queries"] != before["queries"]:
            flags.append("queries")
            notes.append(f"{before['queries']} queries at {a} but {page['queries']} at {b}")
        if cached_ratio > TIME_RATIO_TARGET:
            flags.append("time")
            notes.append(
                f"cached, {page['cached_median_ms']:.1f} ms at {b} is {cached_ratio:.1f}x "
                f"its {before['cached_median_ms']:.1f} ms at {a}"
            )
        if ratio > TIME_RATIO_TARGET:
            flags.append("time uncached")
            notes.append(
                f"without the cache, {page['median_ms']:.0f} ms at {b} is {ratio:.1f}x "
                f"its {before['median_ms']:.0f} ms at {a}"
            )
        short = {name: share for name, share in shares.items() if share < THROUGHPUT_TARGET}
        if short:
            flags.append("req/s " + "+".join(short))
            notes.append(
                "throughput "
                + ", ".join(f"{share:.3f} of /healthz at {name}" for name, share in short.items())
                + f" (target {THROUGHPUT_TARGET})"
            )
        if page["status"] != 200 or before["status"] != 200:
            flags.append("status")
            notes.append(f"answered {before['status']} at {a}, {page['status']} at {b}")
        for result in (small, large):
            load = result["server"]["pages"][page["label"]]
            if load["failed"]:
                flags.append(f"errors {result['dataset']}")
                failures = {**load["errors"], **{k: v for k, v in load["statuses"].items() if int(k) >= 400}}
                notes.append(f"{load['failed']} failed requests under load at {result['dataset']}: {failures}")
        say(
            f"{page['label']:<32}{before['queries']:>7}{page['queries']:>7}{before['median_ms']:>8.1f}"
            f"{page['median_ms']:>8.1f}{ratio:>7.2f}{before['cached_median_ms']:>8.1f}{page['cached_median_ms']:>8.1f}"
            f"{cached_ratio:>7.2f}{shares[a]:>8.3f}{shares[b]:>8.3f}  {', '.join(flags)}"
        )
        if notes:
            misses.append(f"{page['label']}: " + "; ".join(notes) + why(page, b))
    for result in (small, large):
        quotes = result["server"]["quotes"]
        if quotes["confirmed"] != quotes["saved"] or quotes["failed"] or not quotes["confirmed"]:
            misses.append(
                f"quote submissions at {result['dataset']}: {quotes['confirmed']} confirmed, {quotes['saved']} saved, "
                f"{quotes['failed']} failed ({quotes['first_problem'] or 'no detail'})"
            )
    return misses


# PostgreSQL (optional) --------------------------------------------------------------------------


def postgres_datasets(url: str, sizes: list[tuple[str, int]]) -> list[Dataset]:
    """Databases of their own next to the one DATABASE_URL names, created when missing."""
    import psycopg

    parsed = urllib.parse.urlsplit(url)
    base = parsed.path.lstrip("/") or "medtour"
    datasets = []
    # The server's maintenance database: the one the URL names need not exist.
    maintenance = urllib.parse.urlunsplit(parsed._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as conn:
        for name, count in sizes:
            database = f"{base}_bench_{name}"
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
                conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(database)))
            bench_url = urllib.parse.urlunsplit(parsed._replace(path=f"/{database}"))
            datasets.append(Dataset(f"pg-{name}", count, VAR / f"bench-pg-{name}", bench_url))
    return datasets


# Main -------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="Load per URL, in seconds (default %(default)s).")
    parser.add_argument("--concurrency", type=int, default=8, help="Concurrent clients (default %(default)s).")
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2 * (os.cpu_count() or 1) + 1, 9),
        help="gunicorn workers (default: as make serve, 2 x CPUs + 1, at most 9: %(default)s).",
    )
    parser.add_argument("--repeat", type=int, default=30, help="In-process requests per page (default %(default)s).")
    parser.add_argument(
        "--page-seconds", type=float, default=5.0, help="In-process time cap per page (default %(default)s)."
    )
    parser.add_argument("--small", type=int, default=1_000, help="Facilities in the small dataset.")
    parser.add_argument("--large", type=int, default=100_000, help="Facilities in the large dataset.")
    parser.add_argument(
        "--postgres", action="store_true", help="Also measure on the PostgreSQL server of DATABASE_URL."
    )
    parser.add_argument("--staff-small", type=int, default=1_000, help="Quote requests in the small staff dataset.")
    parser.add_argument("--staff-large", type=int, default=200_000, help="Quote requests in the large staff dataset.")
    parser.add_argument("--only-staff", action="store_true", help="Measure the staff pages only.")
    return parser.parse_args()


def size_name(count: int) -> str:
    return f"{count // 1000}k" if count % 1000 == 0 else str(count)


def main() -> int:
    args = parse_args()
    if gunicorn is None:
        say("gunicorn is not installed: run `make bench` (it installs the requirements) or pip install them.")
        return 2
    # SIGTERM (a CI timeout, kill) unwinds through the finally blocks like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))

    sizes = [(size_name(args.small), args.small), (size_name(args.large), args.large)]
    datasets = [] if args.only_staff else [Dataset(name, count, VAR / f"bench-{name}") for name, count in sizes]
    # For the staff datasets ``facilities`` holds the number of quote requests.
    staff_sizes = [
        (f"staff-{size_name(args.staff_small)}", args.staff_small),
        (f"staff-{size_name(args.staff_large)}", args.staff_large),
    ]
    staff_datasets = [Dataset(name, count, VAR / f"bench-{name}") for name, count in staff_sizes]
    database_url = os.environ.get("DATABASE_URL", "")
    if args.postgres and database_url.startswith(("postgres://", "postgresql://")):
        if not args.only_staff:
            datasets += postgres_datasets(database_url, sizes)
        staff_datasets += postgres_datasets(database_url, staff_sizes)
    elif args.postgres:
        say("--postgres needs DATABASE_URL=postgres://...; measuring SQLite only.")
    elif database_url.startswith(("postgres://", "postgresql://")):
        say('DATABASE_URL is PostgreSQL: BENCH_ARGS="--postgres" measures it too (in databases of their own).')

    started = time.perf_counter()
    load_before = os.getloadavg()
    results = []
    try:
        # Static files as the production server serves them: a manifest storage needs them collected.
        if datasets:
            try:
                manage("collectstatic", "--noinput", "-v0", env=server_env(datasets[0], production=True))
            except subprocess.CalledProcessError:
                manage("collectstatic", "--noinput", "-v0", env=server_env(datasets[0], production=False))
        for dataset in datasets:
            results.append(run_dataset(dataset, args))
        portal = [] if args.only_staff else run_portal(args)
        staff = run_staff(args, staff_datasets)
    finally:
        stop_all()
    load_after = os.getloadavg()

    say("\n" + "=" * 100)
    say(
        f"make bench: {platform.python_implementation()} {platform.python_version()}, gunicorn "
        f"{gunicorn.__version__}, {os.cpu_count()} CPUs, load average {load_before[0]:.1f} before and "
        f"{load_after[0]:.1f} after; in-process: Django test client, DEBUG off, up to {args.repeat} requests per page; "
        f"load: {args.concurrency} connections for {args.seconds:g} s per URL; {time.perf_counter() - started:.0f} s"
    )
    for result in results:
        print_dataset(result)
    misses = []
    for small, large in zip(results[::2], results[1::2], strict=True):
        misses += compare(small, large)
    misses += print_staff(staff)
    say("\nTargets missed:" if misses else "\nEvery target met.")
    for miss in misses:
        say(f"  - {miss}")
    say(f"\nPartner portal inbox and case page (in-process, {PORTAL_DIR.relative_to(ROOT)}):")
    for size in portal:
        for page in size["pages"]:
            say(
                f"  {page['url']:<44}{size['cases']:>8,} cases{page['queries']:>4} queries"
                f"{page['median_ms']:>9.1f} ms median{page['p95_ms']:>9.1f} ms p95"
            )
    RESULTS.write_text(json.dumps({"results": results, "portal": portal, "staff": staff, "misses": misses}, indent=2))
    say(f"\nFigures written to {RESULTS.relative_to(ROOT)}.")
    broken = any(
        r["server"]["quotes"]["confirmed"] != r["server"]["quotes"]["saved"] or r["server"]["quotes"]["failed"]
        for r in results
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
