"""The medkb entry point: a Ctrl-C while the libraries load is a message and exit 130, never a traceback."""

from __future__ import annotations

import subprocess
import sys

# NOTE: a stand-in app.cli whose import is interrupted, as a Ctrl-C during start-up interrupts the real one.
INTERRUPTED_START = """
import sys, types
class Interrupted(types.ModuleType):
    def __getattr__(self, name):
        raise KeyboardInterrupt
sys.modules["app.cli"] = Interrupted("app.cli")
from app.__main__ import main
main()
"""


def test_ctrl_c_while_loading_is_a_message_and_exit_130() -> None:
    done = subprocess.run([sys.executable, "-c", INTERRUPTED_START], capture_output=True, text=True, timeout=60)
    assert done.returncode == 130
    assert "interrupted; nothing was changed" in done.stderr and "Traceback" not in done.stderr
