"""A small, bounded HTTP load generator for the benchmark: threads and ``http.client``, nothing else.

``hammer`` sends GET requests to one URL from a fixed number of threads for a fixed time and
reports requests per second; ``submit_quotes`` has several clients each fetch the quote form (for
its CSRF cookie, token and signed stamp) and send it filled in, and counts the answers. Both stop
by themselves: no request starts after the deadline, every socket has a timeout, the number of
requests is capped, and the threads are daemons joined with a time limit.
"""

import http.client
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

# A page slower than this under load counts as failed: it also bounds how long a run can overrun.
REQUEST_TIMEOUT = 15.0
USER_AGENT = "medtour-bench/1"


@dataclass
class LoadResult:
    path: str
    seconds: float
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 400)

    @property
    def failed(self) -> int:
        return sum(self.errors.values()) + sum(n for status, n in self.statuses.items() if status >= 400)

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0


class Connection:
    """One client's connection, reopened whenever the server closes it (gunicorn's sync workers do)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
        try:
            self.conn.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
            response = self.conn.getresponse()
            body = response.read()
        except Exception:
            self.close()
            raise
        if response.will_close:
            self.close()
        return response, body

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _run_threads(worker, concurrency: int, seconds: float) -> float:
    """Start ``concurrency`` threads running ``worker(deadline)``; return the time they took."""
    started = time.perf_counter()
    deadline = started + seconds
    threads = [threading.Thread(target=worker, args=(deadline,), daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        # A request started just before the deadline may run up to its own timeout.
        thread.join(timeout=max(0.0, deadline - time.perf_counter()) + REQUEST_TIMEOUT + 5)
    return time.perf_counter() - started


def hammer(
    host: str, port: int, path: str, *, seconds: float = 5.0, concurrency: int = 8, max_requests: int = 200_000
) -> LoadResult:
    """GET ``path`` from ``concurrency`` threads for ``seconds``; at most ``max_requests`` in all."""
    result = LoadResult(path=path, seconds=0.0)
    lock = threading.Lock()
    sent = [0]

    def worker(deadline: float) -> None:
        conn = Connection(host, port)
        try:
            while time.perf_counter() < deadline:
                with lock:
                    if sent[0] >= max_requests:
                        return
                    sent[0] += 1
                started = time.perf_counter()
                try:
                    response, _body = conn.request("GET", path)
                except Exception as exc:  # Counted and reported, never raised: the run must finish.
                    with lock:
                        result.errors[type(exc).__name__] += 1
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    result.statuses[response.status] += 1
                    result.latencies_ms.append(elapsed)
        finally:
            conn.close()

    result.seconds = _run_threads(worker, concurrency, seconds)
    return result


# Quote submissions ----------------------------------------------------------------------------


class _FormInputs(HTMLParser):
    """The name and value of every <input> on a page (hidden fields such as the CSRF token and stamp)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            found = dict(attrs)
            if found.get("name"):
                self.values.setdefault(found["name"], found.get("value") or "")


def form_inputs(html: bytes) -> dict[str, str]:
    parser = _FormInputs()
    parser.feed(html.decode("utf-8", "replace"))
    return parser.values


def _store_cookies(jar: dict[str, str], response: http.client.HTTPResponse) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


@dataclass
class QuoteResult:
    seconds: float = 0.0
    attempted: int = 0  # Form fetches started.
    forms_fetched: int = 0
    posted: int = 0  # Filled-in forms sent.
    redirected: int = 0  # Answered 302 to the confirmation page: the request was accepted.
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    first_problem: str = ""

    @property
    def failed(self) -> int:
        return sum(self.errors.values()) + sum(self.statuses.values()) - self.redirected

    @property
    def per_second(self) -> float:
        return self.redirected / self.seconds if self.seconds else 0.0


def submit_quotes(
    host: str,
    port: int,
    *,
    fields: dict[str, str],
    seconds: float = 5.0,
    clients: int = 8,
    max_submissions: int = 5_000,
) -> QuoteResult:
    """Each client: GET /quote/, then POST it filled in with ``fields``; repeated until the deadline."""
    result = QuoteResult()
    lock = threading.Lock()
    origin = f"http://{host}:{port}"

    def note_problem(text: str) -> None:
        with lock:
            result.first_problem = result.first_problem or text

    def client(deadline: float) -> None:
        conn = Connection(host, port)
        jar: dict[str, str] = {}
        try:
            while time.perf_counter() < deadline:
                with lock:
                    if result.attempted >= max_submissions:
                        return
                    result.attempted += 1
                    number = result.attempted
                try:
                    cookie = "; ".join(f"{name}={value}" for name, value in jar.items())
                    response, page = conn.request("GET", "/quote/", headers={"Cookie": cookie} if cookie else {})
                    _store_cookies(jar, response)
                    if response.status != 200:
                        raise RuntimeError(f"GET /quote/ answered {response.status}")
                    hidden = form_inputs(page)
                    with lock:
                        result.forms_fetched += 1
                    data = {
                        **fields,
                        "email": f"bench-{threading.get_ident()}-{number}@example.com",
                        "csrfmiddlewaretoken": hidden.get("csrfmiddlewaretoken", ""),
                        "stamp": hidden.get("stamp", ""),
                        "website": "",
                    }
                    body = urllib.parse.urlencode(data, doseq=True).encode()
                    headers = {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": "; ".join(f"{name}={value}" for name, value in jar.items()),
                        "Origin": origin,
                        "Referer": f"{origin}/quote/",
                    }
                    with lock:
                        result.posted += 1
                    response, page = conn.request("POST", "/quote/", body=body, headers=headers)
                    _store_cookies(jar, response)
                except Exception as exc:  # Counted and reported, never raised.
                    with lock:
                        result.errors[type(exc).__name__] += 1
                    note_problem(f"{type(exc).__name__}: {exc}")
                    continue
                confirmed = response.status == 302 and response.headers.get("Location", "").endswith("/quote/thanks/")
                with lock:
                    result.statuses[response.status] += 1
                    result.redirected += confirmed
                if not confirmed:
                    where = response.headers.get("Location", "")
                    note_problem(f"POST /quote/ answered {response.status} {where}: {page[:300]!r}")
        finally:
            conn.close()

    result.seconds = _run_threads(client, clients, seconds)
    return result
