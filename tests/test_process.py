"""ui.process: the allocator setting is opt-in (importing the engine changes nothing)."""

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
