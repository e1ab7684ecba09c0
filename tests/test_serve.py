"""The live preview's server, over real sockets: it answers only its own origin, logs no client text
raw, never writes into a folder it refused, and keeps rebuilding after a runaway template.

Any web page the editor visits can make the browser open connections to 127.0.0.1: a WebSocket with a
foreign ``Origin``, or (by DNS rebinding) requests with a foreign ``Host``. The preview accepts only
requests to itself by address or ``localhost``, and WebSocket connections from its own pages.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import struct
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import BUILD, REPO, make_project, run_forked

RUNAWAY = "{% for i in range(10**12) %}{% endfor %}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.05)


class Server:
    """``build.py serve`` in a project, its output collected as it comes."""

    def __init__(self, project: Path, *args: str, env: dict[str, str] | None = None, stdin: int | None = None, memory: int = 0) -> None:
        """``stdin``: as for :class:`subprocess.Popen`; ``memory``: the most address space it may take, in bytes (0: no limit)."""
        self.project = project
        self.port = free_port()
        self.proc = subprocess.Popen(
            [*(["prlimit", f"--as={memory}"] if memory else []), *BUILD, "serve", "--port", str(self.port), *args],
            cwd=project,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        self.output = b""
        self._collector = threading.Thread(target=self._collect, daemon=True)
        self._collector.start()

    def _collect(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output += line

    def listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return self.proc.poll() is not None

    def request(self, path: str, host: str | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """A raw HTTP/1.1 GET (``path`` sent as written), its status, headers and body."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            lines = [f"GET {path} HTTP/1.1", f"Host: {host or f'127.0.0.1:{self.port}'}", "Connection: close"]
            lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
            s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        found = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
        return int(status_line.split()[1]), found, body

    def websocket(self, origin: str, host: str | None = None) -> tuple[int, socket.socket]:
        """Open the live-reload socket as a browser would from ``origin``: the status (101 if accepted) and the socket."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET /livereload HTTP/1.1\r\nHost: {host or f'127.0.0.1:{self.port}'}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
        )
        s.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(1)
            if not chunk:
                break
            head += chunk
        return int(head.split()[1]), s

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._collector.join(timeout=10)  # it reads what is left in the pipe, to its end
        return self.output.decode("utf-8", "replace")


def send_text(s: socket.socket, text: str) -> None:
    """One masked WebSocket text frame, as a browser sends it."""
    data = text.encode()
    mask = os.urandom(4)
    head = bytes([0x81]) + (bytes([0x80 | len(data)]) if len(data) < 126 else bytes([0x80 | 126]) + struct.pack("!H", len(data)))
    s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))


def _started(root: Path) -> Iterator[Server]:
    running = Server(make_project(root))
    try:
        wait_until(running.listening, 30, "the preview to listen")
        assert running.proc.poll() is None, running.stop()
        wait_until(lambda: running.request("/")[0] == 200, 30, "the first build to be served")
        yield running
    finally:
        running.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A preview of its own, for a test that changes the project or stops the server."""
    yield from _started(tmp_path / "site")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One preview for the tests that only send requests."""
    yield from _started(tmp_path_factory.mktemp("shared") / "site")


def test_requests_for_another_host_are_refused(shared: Server) -> None:
    """DNS rebinding: a page of attacker.example whose name now resolves to 127.0.0.1."""
    assert shared.request("/en/", host=f"127.0.0.1:{shared.port}")[0] == 200
    assert shared.request("/en/", host=f"localhost:{shared.port}")[0] == 200
    for path in ("/en/", "/__preview/status.json", "/livereload.js"):
        status, _headers, body = shared.request(path, host=f"attacker.example:{shared.port}")
        assert status in (400, 403, 421), (path, status)
        assert b"lang=" not in body and b"errors" not in body and b"livereload" not in body


def test_the_live_reload_socket_accepts_only_the_preview_s_own_pages(shared: Server) -> None:
    status, s = shared.websocket(origin=f"http://127.0.0.1:{shared.port}")
    s.close()
    assert status == 101
    for origin in ("https://attacker.example", "null", f"http://attacker.example:{shared.port}"):
        status, s = shared.websocket(origin=origin)
        s.close()
        assert status == 403, origin
    status, s = shared.websocket(origin=f"http://attacker.example:{shared.port}", host=f"attacker.example:{shared.port}")
    s.close()
    assert status in (400, 403, 421)


def test_no_page_elsewhere_can_force_a_reload(shared: Server) -> None:
    status, _headers, _body = shared.request("/forcereload?path=*", headers={"Origin": "https://attacker.example"})
    assert status in (403, 404)


def test_what_a_client_sends_never_reaches_the_terminal_raw(server: Server) -> None:
    status, s = server.websocket(origin=f"http://127.0.0.1:{server.port}")
    assert status == 101
    send_text(s, json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
    send_text(s, json.dumps({"command": "info", "url": "http://127.0.0.1/\x1b[2J\x1b]0;pwned\x07\u202e"}))
    server.request("/%1b[31mred")
    server.request("/\x1b[31mred")
    time.sleep(0.3)  # the server has read the frames (nothing to wait on: what is checked is that nothing comes)
    s.close()
    output = server.stop()
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", output.replace("\n", "").replace("\r", "")), output


@pytest.mark.parametrize("path", ["/en/index.html%00.css", "/%00", "/en/%00/", "/..%2f..%2fetc/passwd"])
def test_odd_paths_are_client_errors_not_server_errors(shared: Server, path: str) -> None:
    status, _headers, _body = shared.request(path)
    assert status in (400, 403, 404), (path, status)
    assert "Traceback" not in shared.output.decode("utf-8", "replace")


def test_the_preview_does_not_serve_files_from_outside_its_folder(shared: Server) -> None:
    (shared.project / ".preview" / "leak.txt").symlink_to("/etc/passwd")
    assert shared.request("/leak.txt")[0] in (403, 404)


@pytest.mark.parametrize("how", ["a link to another folder", "a folder of someone else's"])
def test_a_preview_folder_it_may_not_use_is_refused_and_left_untouched(tmp_path: Path, how: str) -> None:
    project = make_project(tmp_path / "site")
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "letter.txt").write_text("keep me", "utf-8")
    if how.startswith("a link"):
        (project / ".preview").symlink_to(documents)
        target = documents
    else:
        target = project / ".preview"
        target.mkdir()
        (target / "notes.txt").write_text("mine", "utf-8")
    before = sorted(p.name for p in target.iterdir())
    running = Server(project)
    try:
        assert running.proc.wait(timeout=30) == 1
    finally:
        output = running.stop()
    assert "Traceback" not in output and ".preview" in output
    assert sorted(p.name for p in target.iterdir()) == before
    assert (documents / "letter.txt").read_text("utf-8") == "keep me"


@pytest.mark.parametrize("port", ["-1", "0", "70000", "eighty"])
def test_a_port_that_cannot_be_is_a_clear_error(tmp_path: Path, port: str) -> None:
    project = make_project(tmp_path / "site")
    result = run_forked(project, "serve", "--port", port, timeout=30)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "--port" in result.stderr and "1 to 65535" in result.stderr, result.stderr


def test_a_port_in_use_or_an_unknown_host_is_a_clear_error(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_forked(project, "serve", "--port", str(port), timeout=30)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"port {port}" in result.stderr and "in use" in result.stderr, result.stderr
    not_here = "192.0.2.1"  # an address for documentation (RFC 5737): never one of this machine's
    result = run_forked(project, "serve", "--host", not_here, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"cannot listen on {not_here}" in result.stderr and "--host" in result.stderr, result.stderr


def _status(server: Server) -> Any:
    status, _headers, body = server.request("/__preview/status.json")
    return json.loads(body) if status == 200 else None


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_save_after_a_runaway_template_rebuilds_at_once(tmp_path: Path) -> None:
    """The preview froze: a save during a never-ending render was never acted on."""
    project = make_project(tmp_path / "site")
    running = Server(project, env={"EXPLAINER_RENDER_LIMIT": "120"})
    try:
        wait_until(running.listening, 30, "the preview to listen")
        wait_until(lambda: running.request("/")[0] == 200, 30, "the first build to be served")
        home = project / "templates/home.html"
        original = home.read_text("utf-8")
        spent = _cpu_seconds(running.proc.pid)
        home.write_text(original.replace("{% block main %}", "{% block main %}" + RUNAWAY, 1), "utf-8")
        wait_until(lambda: _cpu_seconds(running.proc.pid) > spent + 1.0, 30, "the rebuild to run into the runaway loop")
        home.write_text(original.replace("{% block main %}", "{% block main %}<p>fixed-again</p>", 1), "utf-8")
        wait_until(lambda: b"fixed-again" in running.request("/en/")[2], 30, "the fixed template to be on the page")
        assert (_status(running) or {}).get("ok") is True
        idle = _cpu_seconds(running.proc.pid)
        time.sleep(1.0)  # over a second of nothing to do, the server takes (almost) no CPU
        assert _cpu_seconds(running.proc.pid) - idle < 0.3
    finally:
        output = running.stop()
    assert "Traceback" not in output


def test_a_runaway_template_in_the_preview_stops_at_the_limit_and_says_where(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site")
    running = Server(project, env={"EXPLAINER_RENDER_LIMIT": "1"})
    try:
        wait_until(running.listening, 30, "the preview to listen")
        wait_until(lambda: running.request("/")[0] == 200, 30, "the first build to be served")
        home = project / "templates/home.html"
        home.write_text(home.read_text("utf-8").replace("{% block main %}", "{% block main %}" + RUNAWAY, 1), "utf-8")
        wait_until(lambda: (_status(running) or {"ok": True})["ok"] is False, 30, "the status to report the runaway page")
        (error,) = [e for e in _status(running)["errors"] if "longer than" in e["message"]]
        assert error["path"] == "templates/home.html" and "index.html" in error["message"]
    finally:
        output = running.stop()
    assert "Traceback" not in output


def test_the_status_never_quotes_a_file_from_outside_the_project(server: Server) -> None:
    """The overlay shows the lines around each error: never those of a file a link points to."""
    (server.project / "seeds/005_leak.txt").symlink_to("/etc/passwd")
    sources = server.project / "content/sources.yaml"
    sources.write_text(sources.read_text("utf-8").replace("file: 003_d62c7aa82ec35e7c.txt", "file: 005_leak.txt", 1), "utf-8")
    wait_until(lambda: (_status(server) or {"ok": True})["ok"] is False, 30, "the status to report the link")
    status = _status(server)
    assert any(e["path"] == "seeds/005_leak.txt" for e in status["errors"]), status
    assert "root:" not in json.dumps(status)


def _victim(tmp_path: Path) -> Path:
    """A folder of the editor's, outside the project, with a file that must stay as it is."""
    victim = tmp_path / "documents"
    (victim / "site2/plan").mkdir(parents=True)
    (victim / "status.json").write_text("USER DATA", "utf-8")
    (victim / "site2/plan/index.html").write_text("USER INDEX", "utf-8")
    return victim


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _manifest(folder: Path, files: list[str]) -> None:
    (folder / ".explainer-build.json").write_text(json.dumps({"generator": "explainer", "files": files}), "utf-8")


def test_a_shipped_preview_folder_holding_a_link_is_refused_and_nothing_is_written_through_it(tmp_path: Path) -> None:
    """Review s2, attack 5: ``.preview/__preview -> elsewhere`` with a manifest: the status file was written there."""
    project = make_project(tmp_path / "site")
    victim = _victim(tmp_path)
    before = _files(victim)
    (project / ".preview").mkdir()
    (project / ".preview/__preview").symlink_to(victim)
    (project / ".preview/index.html").write_text("hi", "utf-8")
    _manifest(project / ".preview", ["__preview/status.json", "index.html"])
    running = Server(project)
    try:
        assert running.proc.wait(timeout=30) == 1
    finally:
        output = running.stop()
    assert "Traceback" not in output and "__preview, a symbolic link" in output, output
    assert _files(victim) == before and sorted(p.name for p in victim.iterdir()) == ["site2", "status.json"]


def test_a_shipped_leftover_of_the_preview_holding_a_link_is_not_put_back(tmp_path: Path) -> None:
    """Review s2, attack 19: with no ``.preview``, a shipped ``..preview.old-*`` was put in its place after the checks."""
    project = make_project(tmp_path / "site")
    victim = _victim(tmp_path)
    before = _files(victim)
    leftover = project / "..preview.old-abc"
    leftover.mkdir()
    (leftover / "__preview").symlink_to(victim)
    _manifest(leftover, ["__preview/status.json"])
    running = Server(project)
    try:
        wait_until(running.listening, 60, "the preview to listen")
        assert running.proc.poll() is None, running.stop()
        wait_until(lambda: running.request("/")[0] == 200, 60, "the first build to be served")
        assert (_status(running) or {}).get("ok") is True
    finally:
        output = running.stop()
    assert "Traceback" not in output and "not put back" in output, output
    assert _files(victim) == before and (leftover / "__preview").is_symlink()
    assert not [p for p in (project / ".preview").rglob("*") if p.is_symlink()]


def test_an_open_page_is_never_written_through_a_link_put_into_the_preview(server: Server, tmp_path: Path) -> None:
    """Review s2, attack 6: the open page, rendered first, was written through ``.preview/ar -> elsewhere``."""
    victim = _victim(tmp_path)
    before = _files(victim)
    preview = server.project / ".preview"
    assert "ar/plan/index.html" in json.loads((preview / ".explainer-build.json").read_text("utf-8"))["files"]
    status, s = server.websocket(origin=f"http://127.0.0.1:{server.port}")
    assert status == 101
    send_text(s, json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
    send_text(s, json.dumps({"command": "info", "url": f"http://127.0.0.1:{server.port}/ar/plan/"}))
    try:
        os.rename(preview / "ar", tmp_path / "ar-moved")
        (preview / "ar").symlink_to(victim / "site2")
        plan = server.project / "content/plan.yaml"
        plan.write_text(plan.read_text("utf-8") + "# saved\n", "utf-8")
        wait_until(lambda: (_status(server) or {"ok": True})["ok"] is False, 60, "the status to report the link")
    finally:
        s.close()
    assert any("symbolic link" in e["message"] for e in _status(server)["errors"]), _status(server)
    assert _files(victim) == before


def test_the_status_of_many_errors_reads_each_file_once_and_lists_a_report_s_worth(tmp_path: Path) -> None:
    """Review s2, attack 34: each error's excerpt read and split its whole file again (16,384 errors: 39 s)."""
    from explainer.errors import MAX_SHOWN_PER_FILE, Problem
    from explainer.project import Project
    from explainer.serve import status

    project = make_project(tmp_path / "site")
    (project / "content/figures.yaml").write_text("".join(f"- item {n:08d}\n" for n in range(4096)), "utf-8")  # 64 KB
    problems = [Problem("content/figures.yaml", n % 4096 + 1, 1, f"wrong {n}") for n in range(16384)]
    started = time.monotonic()
    found = status(Project(project), problems)
    assert time.monotonic() - started < 5
    assert found["ok"] is False and found["count"] == 16384
    errors = found["errors"]
    assert len(errors) == MAX_SHOWN_PER_FILE + 1
    assert errors[-1]["message"] == f"{16384 - MAX_SHOWN_PER_FILE} more errors in this file are not shown"
    assert errors[3]["excerpt"] == [{"n": n, "text": f"- item {n - 1:08d}"} for n in range(2, 7)]


def test_an_error_the_build_does_not_locate_is_shown_and_the_preview_keeps_rebuilding(tmp_path: Path) -> None:
    """Review s2, attack 13: such an error (here a stylesheet that is not UTF-8, which a build did not locate)
    ended the preview's rebuild thread with a traceback; at start-up it ended the preview itself."""
    project = make_project(tmp_path / "site")
    css = project / "static/style.css"
    good = css.read_bytes()
    css.write_bytes(good + b"/* \xff\xfe */\n")
    running = Server(project)
    try:
        wait_until(running.listening, 60, "the preview to listen")
        assert running.proc.poll() is None, running.stop()
        wait_until(lambda: (_status(running) or {"ok": True})["ok"] is False, 60, "the status to report the error")
        css.write_bytes(good)
        wait_until(lambda: running.request("/")[0] == 200 and (_status(running) or {}).get("ok") is True, 60, "the fixed site")
        css.write_bytes(good + b"/* \xff\xfe */\n")
        wait_until(lambda: (_status(running) or {"ok": True})["ok"] is False, 60, "the status to report the error again")
        assert _status(running)["errors"][0]["message"]
        css.write_bytes(good)
        wait_until(lambda: (_status(running) or {}).get("ok") is True, 60, "the site fixed again")
    finally:
        output = running.stop()
    assert "Traceback" not in output and "Exception in thread" not in output, output


def _settles(server: Server) -> bool:
    """Whether the preview takes (almost) no CPU over half a second: it is not rebuilding."""
    spent = _cpu_seconds(server.proc.pid)
    time.sleep(0.5)
    return _cpu_seconds(server.proc.pid) - spent < 0.15


def test_a_link_to_the_project_in_static_neither_loops_the_preview_nor_is_followed(tmp_path: Path) -> None:
    """Review s2, attack 36: with ``static/loop -> ..`` the watcher saw the preview's own writes and rebuilt for ever."""
    project = make_project(tmp_path / "site")
    (project / "static/loop").symlink_to("..")
    running = Server(project)
    try:
        wait_until(running.listening, 60, "the preview to listen")
        assert running.proc.poll() is None, running.stop()
        wait_until(lambda: _status(running) is not None, 60, "the first build's status")
        assert any(e["path"] == "static/loop" for e in _status(running)["errors"]), _status(running)
        wait_until(lambda: _settles(running), 30, "the preview to stop rebuilding")
        (project / "static/loop").unlink()  # a save of an input still rebuilds
        wait_until(lambda: running.request("/")[0] == 200, 60, "the fixed site to be served")
        assert (_status(running) or {}).get("ok") is True
    finally:
        output = running.stop()
    assert "Traceback" not in output


def test_a_content_file_moved_away_and_replaced_by_a_link_out_of_the_project_is_rebuilt_and_refused(server: Server, tmp_path: Path) -> None:
    """Review s6, attack 20b: the watcher resolved each changed name and dropped those leading out of the project, so
    the deletion and the new link were both unseen, and the preview said "ok" for a project that no longer builds."""
    secret = tmp_path / "victim.txt"
    secret.write_text("SECRET-VICTIM", "utf-8")
    glossary = server.project / "content/glossary.yaml"
    glossary.rename(server.project / "glossary.yaml.bak")
    glossary.symlink_to(secret)
    wait_until(lambda: (_status(server) or {"ok": True})["ok"] is False, 30, "the status to report the link")
    status = _status(server)
    assert any(e["path"] == "content/glossary.yaml" and e["excerpt"] == [] for e in status["errors"]), status
    assert "SECRET-VICTIM" not in json.dumps(status)
    assert b"SECRET-VICTIM" not in server.request("/en/glossary/")[2]


def test_a_file_fetched_while_the_rebuild_replaces_it_comes_whole_in_one_version(server: Server) -> None:
    """tornado's file handler stats a file, then opens it by name (twice: for its ETag, then its bytes): a file the
    incremental rebuild replaced in between was sent with the length of one version and the bytes of another, and
    the reply ended short (IncompleteRead) or was cut off. The rebuild replaces a file by renaming a new one over it
    (put_below, here in a loop in a process of its own): every reply must be one version, whole."""
    out = server.project / ".preview"
    versions = (b"a" * 200_000, b"b" * 3_000)
    replacing = (
        "import sys\nfrom pathlib import Path\nfrom explainer.write import put_below\n"
        f"versions = {versions[0][:1]!r} * {len(versions[0])}, {versions[1][:1]!r} * {len(versions[1])}\n"
        "n = 0\nwhile True:\n    put_below(Path(sys.argv[1]), 'race/file.txt', versions[n % 2])\n    n += 1\n"
    )
    writer = subprocess.Popen([BUILD[0], "-c", replacing, str(out)], cwd=REPO)
    seen: Counter[int] = Counter()
    try:
        wait_until(lambda: server.request("/race/file.txt")[0] == 200, 30, "the replaced file to be there")
        for _ in range(3_000):  # until each version came 100 times
            status, headers, body = server.request("/race/file.txt")
            assert status == 200, (status, body[:200])
            length = headers.get("content-length")
            assert body in versions, f"a reply of {len(body)} bytes (Content-Length {length}): {body[:1]!r}…{body[-1:]!r}"
            assert length == str(len(body))
            seen[len(body)] += 1
            if len(seen) == 2 and min(seen.values()) >= 100:
                break
    finally:
        writer.kill()
        writer.wait()
    assert len(seen) == 2 and min(seen.values()) >= 100, seen  # the file was replaced while it was fetched, over and over


def test_a_reload_takes_hashed_static_files_from_the_browser_cache_and_asks_again_for_the_rest(shared: Server) -> None:
    """A save reloads the open page: its stylesheet and fonts, whose names carry their content's hash, are kept by
    the browser (no request at all); any other file is asked for again and answered 304 when it has not changed."""
    page = shared.request("/en/")[2].decode("utf-8")
    hashed = re.search(r'href="[./]*(static/style\.[0-9a-f]{10}\.css)"', page)
    assert hashed, page[:2000]
    status, headers, css = shared.request("/" + hashed.group(1))
    assert status == 200 and headers["cache-control"] == "public, max-age=31536000, immutable" and css
    status, headers, body = shared.request("/en/")
    assert status == 200 and "immutable" not in headers.get("cache-control", "") and headers["etag"]
    status, _headers, body = shared.request("/en/", headers={"If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"")
    status, _headers, body = shared.request("/" + hashed.group(1), headers={"If-None-Match": '"another"'})
    assert status == 200 and body == css
    # so are the preview's overlay and livereload's script, whose addresses carry their hash too
    overlay = re.findall(r'(?:href|src)="[./]*(__preview/overlay\.[0-9a-f]{10}\.(?:css|js))"', page)
    assert len(overlay) == 2, page[:3000]
    live = re.search(r'"/livereload\.js\?port=" \+ port \+ "&version=([0-9a-f]{10})"', page)
    assert live, page[-1500:]
    for address in ["/" + name for name in overlay] + [f"/livereload.js?port=1&version={live.group(1)}"]:
        status, headers, body = shared.request(address)
        assert status == 200 and headers["cache-control"] == "public, max-age=31536000, immutable" and body, address


def test_the_search_for_cycles_is_off_only_until_a_save_is_shown_and_never_longer_than_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save's rebuild runs without Python's cyclic garbage collector until its open pages are back, and at most
    ``NO_GC`` seconds (review, 6 Dec: a rebuild with no open page to show ran whole without it); it is on again after
    a rebuild however it ended (shown, not shown, failed, cancelled, its timer not started), and the end of that
    window never ends the pause of a file being read."""
    import gc

    from explainer import load, serve
    from explainer.incremental import Memo
    from explainer.project import Project
    from explainer.workers import Cancelled

    pauses = load.pause_cycles.__self__  # type: ignore[attr-defined]
    monkeypatch.setattr(serve, "NO_GC", 0.05)
    during: list[bool] = []
    in_read: list[bool] = []

    def rebuild(_project: Any, _out: Path, _first: Any, shown: Callable[[], None], **_kw: Any) -> tuple[bool, str]:
        n = len(during)
        during.append(gc.isenabled())
        if n == 0:
            serve._page_back.set()  # (the reloaded page is back at once)
            shown()
            return True, "shown"
        if n == 1:  # no page to show: the window ends after NO_GC seconds, but not the pause of a file being read
            with load._no_cyclic_gc():
                wait_until(lambda: pauses.count == 1, 5, "the window to end")
                in_read.append(gc.isenabled())
            in_read.append(gc.isenabled())
            return True, "not shown"
        if n == 2:
            raise RuntimeError("a bug")
        if n == 3:
            raise Cancelled()
        return True, "again"

    class Loop:
        def add_callback(self, call: Callable[..., None], *args: Any) -> None:
            call(*args)

    class Sockets:
        waiters: frozenset[Any] = frozenset()

        @staticmethod
        def reload_waiters(_path: str) -> None:
            pass

    unstarted: list[bool] = []

    class Unstartable(threading.Timer):
        def start(self) -> None:
            unstarted.append(True)
            raise RuntimeError("can't start new thread")

    monkeypatch.setattr(serve, "rebuild", rebuild)
    pending, cancel = threading.Event(), threading.Event()
    stop = serve._rebuild_on_saves(Project(tmp_path), tmp_path / ".preview", pending, cancel, Loop(), Sockets, Memo())
    try:
        for n in range(5):
            if n == 4:  # a save whose timer cannot start: not built, and the next save is
                with monkeypatch.context() as patch:
                    patch.setattr(serve.threading, "Timer", Unstartable)
                    pending.set()
                    wait_until(lambda: unstarted and pauses.count == 0, 10, "the save with no timer to pass")
            pending.set()
            wait_until(lambda n=n: len(during) > n and not pending.is_set(), 10, f"rebuild {n + 1}")
            wait_until(lambda: gc.isenabled() and pauses.count == 0, 5, f"the collector on again after rebuild {n + 1}")
    finally:
        stop()
        gc.enable()
    assert during == [False] * 5 and in_read == [False, True] and unstarted == [True]
