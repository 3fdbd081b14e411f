"""Nothing lost: kill -9 and Ctrl-C mid-ingest resume to a clean run's store, a second process never damages a
running ingest, a damaged lexicon names its rebuild, and bad --store values and empty questions are messages."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.resources import JOURNAL_FILE, LEXICON_FILE, open_kb
from kb.config import Settings
from kb.errors import StoreBusy
from kb.store import COLLECTIONS
from kb.store.edge import EdgeStore
from tests.conftest import DEMO
from tests.ingest.readers.test_pdf_child import bomb_pdf, pages_pdf

ROOT = Path(__file__).resolve().parents[2]
SMALL_BATCHES = {"MEDKB_INGEST_BATCH_CHUNKS": "4"}  # NOTE: a committed batch every few documents, to stop between.


def medkb(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start the real CLI in its own process."""
    return subprocess.Popen([sys.executable, "-m", "app", *args], cwd=ROOT, env=os.environ | (env or {}),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run the CLI to its end; return its exit code and stderr."""
    proc = medkb(*args, env=env)
    _, err = proc.communicate(timeout=300)
    return proc.returncode, err


def snapshot(store: Path) -> dict[str, object]:
    """Return what a knowledge base holds: point ids per collection and the lexicon's terms."""
    kb = open_kb(Settings(store=store), create=False)
    try:
        ids = {name: sorted(h.id for h in kb.store.scroll(name)) for name in COLLECTIONS}
        return ids | {"lexicon": sorted(map(repr, kb.lexicon))}
    finally:
        kb.close()


@pytest.fixture(scope="module")
def clean_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base of the demo corpus, ingested without interruption."""
    store = tmp_path_factory.mktemp("clean") / "kb"
    code, err = finished("ingest", str(DEMO), "--store", str(store))
    assert code == 0, err
    return store


@pytest.fixture(scope="module")
def clean(clean_store: Path) -> dict[str, object]:
    """What an uninterrupted ingest of the demo corpus stores."""
    return snapshot(clean_store)


def stopped_mid_ingest(store: Path, sig: signal.Signals) -> subprocess.Popen[str]:
    """Start an ingest and send it sig once two batches' terms are journalled (or it has ended)."""
    proc = medkb("ingest", str(DEMO), "--store", str(store), env=SMALL_BATCHES)
    journal = store / JOURNAL_FILE
    while proc.poll() is None and (not journal.exists() or journal.read_text().count("\n") < 10):
        time.sleep(0.01)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    return proc


def test_kill_9_mid_ingest_then_resume_stores_what_a_clean_run_stores(clean: dict[str, object], tmp_path: Path) -> None:
    store = tmp_path / "kb"
    killed = stopped_mid_ingest(store, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL, "the ingest ended before it could be killed"
    assert (store / JOURNAL_FILE).exists() and not (store / LEXICON_FILE).exists()
    code, err = finished("ingest", str(DEMO), "--store", str(store), env=SMALL_BATCHES)
    assert code == 0, err
    assert snapshot(store) == clean
    assert not (store / JOURNAL_FILE).exists()


def test_ctrl_c_stops_with_a_message_and_the_run_resumes(clean: dict[str, object], tmp_path: Path) -> None:
    store = tmp_path / "kb"
    stopped = stopped_mid_ingest(store, signal.SIGINT)
    err = stopped.stderr.read() if stopped.stderr else ""
    if stopped.returncode == 0 and "ingested" in err:
        # NOTE: seen twice in full-suite runs (never alone): the signal reached an ingest that had already ended.
        pytest.skip("the ingest ended before Ctrl-C was sent, so there was nothing to stop")
    assert stopped.returncode == 130, err
    assert "interrupted" in err and "run the same command again" in err and "Traceback" not in err
    code, err = finished("ingest", str(DEMO), "--store", str(store))
    assert code == 0, err
    assert snapshot(store) == clean


def test_opening_the_store_again_and_again_never_damages_a_running_ingest(clean: dict[str, object],
                                                                          tmp_path: Path) -> None:
    store = tmp_path / "kb"
    proc = medkb("ingest", str(DEMO), "--store", str(store), env=SMALL_BATCHES)
    busy = opened = 0
    while proc.poll() is None:
        try:
            EdgeStore(store, 384, "unused", create=False).close()  # NOTE: meets the lock before any store file.
            opened += 1
        except StoreBusy:
            busy += 1
        except Exception:  # noqa: BLE001 - before the marker exists the store is not one yet
            pass
    _, err = proc.communicate()
    assert proc.returncode == 0, err
    assert busy > 10, f"the loop met the running ingest only {busy} times"
    assert snapshot(store) == clean


def test_a_damaged_lexicon_names_its_rebuild_and_the_rebuild_restores_it(clean: dict[str, object],
                                                                         tmp_path: Path) -> None:
    store = tmp_path / "kb"
    assert finished("ingest", str(DEMO), "--store", str(store))[0] == 0
    (store / LEXICON_FILE).write_bytes((store / LEXICON_FILE).read_bytes()[:40])  # NOTE: torn mid-write
    code, err = finished("stats", "--store", str(store))
    assert code == 1 and "lexicon is damaged" in err and f"medkb lexicon rebuild --store {store}" in err
    assert "Traceback" not in err
    code, err = finished("lexicon", "rebuild", "--store", str(store))
    assert code == 0, err
    assert snapshot(store) == clean
    (store / LEXICON_FILE).write_bytes(b"")
    code, err = finished("ask", "asthma", "--store", str(store))
    assert code == 1 and "the lexicon is empty" in err and "lexicon rebuild" in err


def test_a_store_that_is_a_file_or_missing_is_a_message_and_creates_nothing(tmp_path: Path) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("x")
    code, err = finished("stats", "--store", str(afile))
    assert code == 1 and "is a file, not a knowledge-base folder" in err and "Traceback" not in err
    typo = tmp_path / "kb-typo"
    code, err = finished("ask", "Does zelmorant reduce exacerbations?", "--store", str(typo))
    assert code == 1 and f"no knowledge base at {typo}" in err and "medkb ingest" in err
    assert not typo.exists()


@pytest.mark.parametrize("question", ["", "   ", "what is the of?"])
def test_a_question_with_nothing_to_search_gets_a_prompt(question: str, clean_store: Path) -> None:
    code, err = finished("ask", question, "--store", str(clean_store))
    assert code == 1 and "no word to search for" in err


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed; it sees C-level DNS lookups")
def test_ingest_and_ask_make_no_network_request(tmp_path: Path) -> None:
    store, trace = tmp_path / "kb", tmp_path / "trace"
    for args in (["ingest", str(DEMO)], ["ask", "Does zelmorant reduce exacerbations?"]):
        command = ["strace", "-f", "-e", "trace=connect", "-o", str(trace), sys.executable, "-m", "app", *args,
                   "--store", str(store)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        internet = [line for line in trace.read_text().splitlines() if "AF_INET" in line]
        assert internet == [], f"medkb {args[0]} tried the network: {internet[:3]}"


def test_an_ingest_waits_with_a_message_while_another_process_holds_the_store(clean_store: Path,
                                                                               tmp_path: Path) -> None:
    store = tmp_path / "kb"
    subprocess.run(["cp", "-r", str(clean_store), str(store)], check=True)  # NOTE: cp keeps sparse pages sparse
    held = open_kb(Settings(store=store), create=False)
    try:
        proc = medkb("ingest", str(DEMO), "--store", str(store), env={"MEDKB_STORE_WAIT_S": "120"})
        first = proc.stderr.readline() if proc.stderr else ""  # NOTE: blocks until the CLI meets the lock
        assert proc.poll() is None, "the ingest gave up instead of waiting"
    finally:
        held.close()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "waiting up to 120 s" in first and "13 unchanged" in err


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 GB tmpfs (a new store takes about 400 MB of it), where mounting is allowed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1g", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.decode().strip() or 'not permitted'})")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_full_disk_stops_the_ingest_with_a_message_and_loses_nothing(small_disk: Path) -> None:
    store = small_disk / "kb"
    code, err = finished("ingest", str(DEMO / "pubmed_demo.xml"), "--store", str(store))
    assert code == 0, err
    before = snapshot(store)
    free = shutil.disk_usage(small_disk).free
    with open(small_disk / "filler", "wb") as filler:  # NOTE: leave 100 MB, under the 256 MB a write needs
        filler.truncate(0)
        for _ in range((free - 100 * 2**20) // 2**20):
            filler.write(b"\0" * 2**20)
    code, err = finished("ingest", str(DEMO), "--store", str(store))
    assert "no space left for the knowledge base" in err and "nothing stored was lost" in err
    assert "Traceback" not in err and "Bus error" not in err
    assert snapshot(store) == before


def test_a_rebuild_never_moves_the_lexicon_of_a_store_in_use(clean_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "kb"
    subprocess.run(["cp", "-r", str(clean_store), str(store)], check=True)
    held = open_kb(Settings(store=store), create=False)
    try:
        code, err = finished("lexicon", "rebuild", "--store", str(store))
    finally:
        held.close()
    assert code == 75 and "open in another process" in err
    assert (store / LEXICON_FILE).exists() and not (store / f"{LEXICON_FILE}.damaged").exists()


def test_check_finds_orphans_and_repair_deletes_them(clean_store: Path, tmp_path: Path) -> None:
    from kb.models import make_id
    from kb.store import Point

    store = tmp_path / "kb"
    subprocess.run(["cp", "-r", str(clean_store), str(store)], check=True)
    code, _ = finished("check", "--store", str(store))
    assert code == 0
    kb = open_kb(Settings(store=store), create=False)
    try:  # NOTE: what a crash between a batch's chunks and its documents leaves behind
        kb.store.upsert("chunks", [Point(id=make_id("chunk", "gone"), payload={"id": make_id("chunk", "gone"),
                                                                               "doc_id": "gone"})])
    finally:
        kb.close()
    proc = medkb("check", "--store", str(store))
    stdout, _ = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "1 chunks" in stdout and "medkb check --repair" in stdout
    assert finished("check", "--repair", "--store", str(store))[0] == 0
    assert snapshot(store) == snapshot(clean_store)


@pytest.mark.parametrize(("env", "expected"), [
    ({"MEDKB_PDF_TIMEOUT_S": "0.001"}, "took longer than 0.001 s to read; split or re-export it, or raise "
                                       "MEDKB_PDF_TIMEOUT_S"),
    ({"MEDKB_PDF_MEMORY_MB": "512"}, "needed more than 512 MB of memory to read; split or re-export it, or raise "
                                     "MEDKB_PDF_MEMORY_MB"),
])
def test_a_pdf_past_a_limit_is_a_failure_with_its_reason_and_the_run_goes_on(env: dict[str, str], expected: str,
                                                                            tmp_path: Path) -> None:
    hostile = bomb_pdf(tmp_path / "a_hostile.pdf", 20 * 2**20) if "MEDKB_PDF_MEMORY_MB" in env \
        else pages_pdf(tmp_path / "a_hostile.pdf", 60)
    note = tmp_path / "b_note.md"
    note.write_text("# Aspirin after stroke\n\nAspirin reduced recurrent stroke compared with placebo in 400 adults.\n")
    code, err = finished("ingest", str(hostile), str(note), "--store", str(tmp_path / "kb"), env=env)
    flat = " ".join(err.split())  # NOTE: the report wraps long reasons to the terminal width.
    assert code == 0 and "a_hostile.pdf" in flat and expected in flat and "Traceback" not in err
    assert len(snapshot(tmp_path / "kb")["documents"]) == 1  # NOTE: the note, read after the hostile PDF.
