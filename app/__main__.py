"""The medkb entry point (`medkb`, `python -m app`): quiet settings for libraries first, then the CLI."""

from __future__ import annotations

import os
import sys

# NOTE: what libraries read when they load; set before the CLI imports them, so never at import time of a module.
QUIET_ENVIRONMENT = {
    # onnxruntime (loaded by pymupdf 2's layout package as well as by the embedder) looks up
    # mobile.events.data.microsoft.com for usage events during every ingest; only this variable stops it.
    "ORT_DISABLE_TELEMETRY": "1",
}


def main() -> None:
    """Quiet the libraries, then run the CLI."""
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    try:
        from app.cli import main as cli

        cli()
    except KeyboardInterrupt:
        # NOTE: a Ctrl-C while the libraries load reaches no command's own handler; nothing has been opened yet.
        sys.stderr.write("medkb: interrupted; nothing was changed.\n")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
