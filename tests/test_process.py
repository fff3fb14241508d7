"""ui.process: the allocator setting is opt-in (importing the engine changes nothing); every
script sets the process up before its own imports, so sessions never import at once."""

import ast
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_importing_the_engine_never_calls_mallopt():
    code = (
        "import ctypes, sys\n"
        "calls = []\n"
        "real = ctypes.CDLL\n"
        "class Spy(real):\n"
        "    def __getattr__(self, name):\n"
        "        calls.append(name)\n"
        "        return super().__getattr__(name)\n"
        "ctypes.CDLL = Spy\n"
        "import engine, engine.expr, engine.train\n"
        "print('mallopt' in calls, 'ui.process' in sys.modules)\n"
    )
    assert run_python(code) == "False False"


def test_reuse_freed_memory_is_idempotent_and_says_whether_it_applied():
    code = (
        "import platform\n"
        "from ui.process import reuse_freed_memory\n"
        "first, second = reuse_freed_memory(), reuse_freed_memory()\n"
        "glibc = platform.libc_ver()[0] == 'glibc'\n"
        "print(first == second == glibc)\n"
    )
    assert run_python(code) == "True"


def test_threads_that_set_up_together_wait_for_one_warm_up():
    code = (
        "import threading, time\n"
        "import ui.process as process\n"
        "runs, done = [], []\n"
        "def slow_warm_up():\n"
        "    runs.append(1)\n"
        "    time.sleep(0.3)\n"
        "    done.append(time.monotonic())\n"
        "process.warm_up = slow_warm_up\n"
        "returned = []\n"
        "def visit():\n"
        "    process.set_up_process()\n"
        "    returned.append(time.monotonic())\n"
        "threads = [threading.Thread(target=visit) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "process.set_up_process()\n"
        "print(len(runs), len(returned), min(returned) >= done[0])\n"
    )
    assert run_python(code) == "1 8 True"


def test_after_the_set_up_running_every_page_imports_no_more_library_modules():
    """What a page imports on a session's first run, the warm-up imported before (plotly's
    per-property classes aside: plotly imports them through the import lock as figures use them)."""
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "from ui.process import set_up_process\n"
        "set_up_process()\n"
        "before = set(sys.modules)\n"
        "from ui.nav import HOME, available_pages\n"
        "for page in (HOME, *available_pages()):\n"
        "    at = AppTest.from_file('app.py', default_timeout=120)\n"
        "    at.switch_page(page.path).run()\n"
        "    assert not at.exception, (page.path, at.exception)\n"
        "own = ('engine', 'page_models', 'viz', 'ui', 'pages')\n"
        "# what AppTest itself imports on a first run (the server has them from its start)\n"
        "testing = ('packaging', 'streamlit.components.v2.manifest_scanner')\n"
        "new = sorted(m for m in set(sys.modules) - before\n"
        "             if not m.startswith(own + testing + ('plotly.graph_objs.',)))\n"
        "print(new)\n"
    )
    assert run_python(code) == "[]"


SCRIPTS = ("app.py", *sorted(str(p.relative_to(REPO_ROOT)) for p in REPO_ROOT.glob("pages/*.py")))
OWN_PACKAGES = ("engine", "page_models", "viz", "ui")


def own_imports(script: str) -> list[tuple[int, str]]:
    """(line, module) of each of the app's own modules a script imports at its top level."""
    tree = ast.parse((REPO_ROOT / script).read_text())
    found = []
    for node in tree.body:
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module] if isinstance(node, ast.ImportFrom) else [])
        found += [(node.lineno, name) for name in names if name.split(".")[0] in OWN_PACKAGES]
    return found


def set_up_line(script: str) -> int:
    tree = ast.parse((REPO_ROOT / script).read_text())
    return next(node.lineno for node in tree.body if isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", None) == "set_up_process")


def test_every_script_sets_the_process_up_before_its_own_imports():
    for script in SCRIPTS:
        line = set_up_line(script)
        early = [name for at, name in own_imports(script) if at < line and name != "ui.process"]
        assert early == [], script
        assert len(own_imports(script)) > 1, script


def test_sessions_opening_every_page_at_once_on_a_fresh_process_meet_no_half_imported_module():
    """Without the set-up's imports, threads importing `engine`, `engine.data` and
    `engine.train_grid` at once met a deadlock or a half-initialised module in most runs."""
    imports = [[name for _, name in own_imports(script)] for script in SCRIPTS]
    code = (
        "import importlib, threading\n"
        "from ui.process import set_up_process\n"
        f"imports = {imports * 2!r}\n"
        "start = threading.Barrier(len(imports))\n"
        "errors = []\n"
        "def open_page(names):\n"
        "    start.wait()\n"
        "    try:\n"
        "        set_up_process()\n"
        "        for name in names:\n"
        "            importlib.import_module(name)\n"
        "    except Exception as error:\n"
        "        errors.append(repr(error))\n"
        "threads = [threading.Thread(target=open_page, args=(n,)) for n in imports]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(errors)\n"
    )
    runs = [subprocess.Popen([sys.executable, "-c", code], cwd=REPO_ROOT, text=True,
                             stdout=subprocess.PIPE) for _ in range(3)]
    assert [run.communicate(timeout=120)[0].strip() for run in runs] == ["[]"] * 3


def test_blas_runs_matrix_products_on_one_thread():
    import ctypes

    from ui.process import single_threaded_blas

    assert single_threaded_blas()  # NumPy's wheels bundle OpenBLAS (Linux here and in CI)
    maps = open("/proc/self/maps").read().splitlines()
    path = next(line.split()[-1] for line in maps if "openblas" in line.lower())
    library = ctypes.CDLL(path)
    getter = next(getattr(library, name.replace("set", "get"))
                  for name in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads")
                  if hasattr(library, name.replace("set", "get")))
    assert getter() == 1


def test_the_launcher_sets_the_process_up_before_streamlit_starts():
    code = (
        "import sys\n"
        "import ui.process as process\n"
        "from streamlit.web import cli\n"
        "seen = []\n"
        "cli.main = lambda **options: seen.append((process._set_up, 'pandas' in sys.modules,\n"
        "                                          options))\n"
        "process.run_streamlit()\n"
        "print(seen)\n"
    )
    assert run_python(code) == "[(True, True, {'prog_name': 'streamlit'})]"


def test_python_m_ui_process_is_the_streamlit_command_line():
    done = subprocess.run([sys.executable, "-m", "ui.process", "version"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.startswith("Streamlit, version ")


def test_frontend_files_are_read_in_large_chunks():
    code = ("from starlette.responses import FileResponse; from ui import process; "
            "before = FileResponse.chunk_size; process.larger_file_chunks(); "
            "print(before, FileResponse.chunk_size)")
    assert run_python(code) == f"{64 * 1024} {1 << 20}"  # Starlette's 64 kB, then 1 MB


def _asgi_get(app, path: str, headers=()) -> list[dict]:
    """The messages `app` sends for one GET of `path`."""
    import asyncio

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "GET", "path": path, "headers": list(headers)}
    asyncio.run(app(scope, receive, send))
    return sent


class _FakeStatic:
    """Streamlit's static files as seen from outside: a file's answer in two body parts."""

    def __init__(self, cache_control: bytes):
        self.calls, self.cache_control = 0, cache_control

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"cache-control", self.cache_control)]})
        await send({"type": "http.response.body", "body": b"ab", "more_body": True})
        await send({"type": "http.response.body", "body": b"c", "more_body": False})


def test_a_hashed_frontend_file_is_answered_from_memory_after_its_first_fetch():
    from ui.process import FrontendFilesFromMemory

    static = _FakeStatic(b"public, immutable, max-age=31536000")
    app = FrontendFilesFromMemory(static)
    first = _asgi_get(app, "/static/js/index.abc.js")
    again = _asgi_get(app, "/static/js/index.abc.js")
    assert static.calls == 1
    assert again[0] == first[0] and b"".join(m.get("body", b"") for m in again[1:]) == b"abc"
    _asgi_get(app, "/static/js/index.abc.js", headers=[(b"range", b"bytes=0-1")])
    _asgi_get(app, "/static/js/index.abc.js", headers=[(b"if-none-match", b'"x"')])
    assert static.calls == 3  # a Range or a conditional request goes to Streamlit


def test_an_answer_that_is_not_immutable_is_never_kept():
    from ui.process import FrontendFilesFromMemory

    static = _FakeStatic(b"no-cache")  # index.html, also Streamlit's answer to an unknown path
    app = FrontendFilesFromMemory(static)
    for _ in range(2):
        _asgi_get(app, "/static/no/such/file.js")
        _asgi_get(app, "/Optimizer_Lab")
    assert static.calls == 4 and app.kept == {}


def test_requests_arriving_while_a_file_is_fetched_wait_for_that_answer():
    import asyncio

    from ui.process import FrontendFilesFromMemory

    class SlowStatic(_FakeStatic):
        async def __call__(self, scope, receive, send):
            await asyncio.sleep(0.01)  # the worker thread reading the file
            await super().__call__(scope, receive, send)

    static = SlowStatic(b"public, immutable, max-age=31536000")
    app = FrontendFilesFromMemory(static)
    bodies: list[list[bytes]] = [[] for _ in range(5)]

    async def get(i):
        async def send(message):
            bodies[i].append(message.get("body", b""))

        scope = {"type": "http", "method": "GET", "path": "/static/js/a.js", "headers": []}
        await app(scope, None, send)

    async def class_at_once():
        await asyncio.gather(*(get(i) for i in range(5)))

    asyncio.run(class_at_once())
    assert static.calls == 1 and all(b"".join(b) == b"abc" for b in bodies)
    assert app.fetching == {}


def test_an_answer_that_sets_a_cookie_is_never_kept():
    from ui.process import FrontendFilesFromMemory

    class CookieStatic(_FakeStatic):
        async def __call__(self, scope, receive, send):
            async def with_cookie(message):
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message["headers"],
                                                      (b"set-cookie", b"session=one-browser")]}
                await send(message)
            await super().__call__(scope, receive, with_cookie)

    static = CookieStatic(b"public, immutable, max-age=31536000")
    app = FrontendFilesFromMemory(static)
    for _ in range(2):
        _asgi_get(app, "/static/js/index.abc.js")
    assert static.calls == 2 and app.kept == {}


def test_the_server_started_after_the_set_up_answers_through_the_memory_of_files():
    """The whole app is wrapped (a replayed file skips Streamlit's middleware and router)."""
    code = (
        "from streamlit.web.server.starlette import starlette_server as server\n"
        "server.create_starlette_app = lambda runtime: ('streamlit app', runtime)\n"
        "from ui.process import FrontendFilesFromMemory, frontend_files_from_memory\n"
        "frontend_files_from_memory()\n"
        "frontend_files_from_memory()  # twice: wrapped once\n"
        "app = server.create_starlette_app('runtime')\n"
        "print(type(app) is FrontendFilesFromMemory, app.app)\n"
    )
    assert run_python(code) == "True ('streamlit app', 'runtime')"
