"""PDFs read in a child process under a wall-clock and a memory limit, so a hostile PDF fails alone.

One worker process (spawned, never forked: the ingest process holds onnxruntime threads and Qdrant memory maps)
reads every PDF of a run; a PDF that runs past the time limit gets its worker killed, and the next PDF starts a
fresh one. Parsing itself is `ingest.readers.pdf.parse_pdf`, which the worker calls.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from ingest.readers.pdf import parse_pdf
from kb.errors import ParseError
from kb.models import Document

# NOTE: a new worker imports PyMuPDF and pydantic (about 1 s); this bounds a start that never finishes.
STARTUP_S = 120.0
OUT_OF_MEMORY = re.compile(r"\b(?:m|re|c)alloc \(\d+ bytes\) failed|out of memory", re.IGNORECASE)
KILL = getattr(signal, "SIGKILL", signal.SIGTERM)  # NOTE: Windows has no SIGKILL.


@dataclass(frozen=True)
class PdfLimits:
    """How long one PDF may take to read, and how much memory (address space) its reader may use."""

    timeout_s: float = 120.0
    memory_mb: int = 2048


def _too_big(path: Path | str, memory_mb: int) -> str:
    """Return the message for a PDF that needed more memory than the limit."""
    return (f"{path}: needed more than {memory_mb} MB of memory to read; split or re-export it, "
            "or raise MEDKB_PDF_MEMORY_MB")


def _prepare_worker(memory_mb: int) -> None:
    """Ignore Ctrl-C and cap the address space; runs in the child once its modules are imported, before any PDF."""
    # NOTE: Ctrl-C reaches the whole process group; the parent stops the worker itself, without a child traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import resource
    except ImportError:  # NOTE: no rlimits on Windows; the time limit still holds there.
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = memory_mb * 2**20
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    except (ValueError, OSError):  # NOTE: macOS refuses RLIMIT_AS; a worker that never starts would fail every PDF.
        pass


def _read(path: str, memory_mb: int) -> list[Document]:
    """Parse one PDF in the worker; every failure comes back as a ParseError (picklable, with its reason)."""
    try:
        return list(parse_pdf(Path(path)))
    except ParseError:
        raise
    except MemoryError:
        raise ParseError(_too_big(path, memory_mb)) from None
    except Exception as exc:  # noqa: BLE001 - a MuPDF error type may not survive pickling back to the parent
        if OUT_OF_MEMORY.search(str(exc)):  # NOTE: MuPDF reports a failed allocation as a RuntimeError.
            raise ParseError(_too_big(path, memory_mb)) from None
        raise ParseError(f"{path}: unexpected {type(exc).__name__}: {exc}") from None


class PdfWorker:
    """A reusable child process that parses PDFs under PdfLimits; replaced after a timeout or a crash."""

    def __init__(self, limits: PdfLimits | None = None) -> None:
        self.limits = limits or PdfLimits()
        self._pool: ProcessPoolExecutor | None = None
        self._pid = 0

    def __enter__(self) -> PdfWorker:
        """Return the worker; its process starts with the first PDF."""
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        """Stop the worker."""
        # NOTE: on Ctrl-C or an error the worker may be mid-PDF; waiting for it could take the whole time limit.
        self.close(kill=kind is not None)

    def parse(self, path: Path) -> list[Document]:
        """Return the Documents of one PDF, or raise ParseError naming the file and the limit it hit."""
        pool = self._started(path)
        future = pool.submit(_read, str(path), self.limits.memory_mb)
        try:
            return future.result(timeout=self.limits.timeout_s)
        except FutureTimeout:
            self.close(kill=True)
            raise ParseError(f"{path}: took longer than {self.limits.timeout_s:g} s to read; split or re-export it, "
                             "or raise MEDKB_PDF_TIMEOUT_S") from None
        except BrokenProcessPool:
            self.close()  # NOTE: the worker is gone; its process id may already belong to another process.
            raise ParseError(f"{path}: the process reading it was killed (out of memory, or a crash in MuPDF); "
                             f"split or re-export it; if it needs more than {self.limits.memory_mb} MB, "
                             "raise MEDKB_PDF_MEMORY_MB") from None

    def _started(self, path: Path) -> ProcessPoolExecutor:
        """Return the running worker pool, starting one (and learning its process id) when there is none."""
        if self._pool is not None:
            return self._pool
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_prepare_worker, initargs=(self.limits.memory_mb,))
        try:
            # NOTE: waiting for the worker here keeps its start-up out of the first PDF's time limit.
            self._pid = pool.submit(os.getpid).result(timeout=STARTUP_S)
        except (FutureTimeout, BrokenProcessPool, OSError) as exc:
            pool.shutdown(wait=False, cancel_futures=True)
            raise ParseError(f"{path}: could not start a process to read PDFs ({type(exc).__name__}: {exc}); "
                             f"check MEDKB_PDF_MEMORY_MB ({self.limits.memory_mb}) and free memory") from None
        self._pool = pool
        return pool

    def close(self, kill: bool = False) -> None:
        """Stop the worker (killing it when it may be busy); the next PDF starts a new one."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:
            try:
                os.kill(self._pid, KILL)
            except ProcessLookupError:  # NOTE: it already died (the crash case).
                pass
        pool.shutdown(wait=True, cancel_futures=True)
