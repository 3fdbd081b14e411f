"""medkb migrate on the demo knowledge base: to a server and back, and to a folder, with the same answers."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from qdrant_client import QdrantClient, models

import kb.store.factory
from app.migrate_cli import carry_lexicon
from app.resources import JOURNAL_FILE, LEXICON_FILE, open_kb
from kb.answer import answer_question
from kb.config import Settings
from kb.memory import MEMORY_FILE, Memory
from kb.store import Layout
from kb.store.edge import EdgeStore
from kb.store.edge_folder import MARKER
from kb.store.migrate import copy_store
from kb.store.remote import ClientStore
from tests.app.test_cli import demo_store, medkb  # noqa: F401  (a fixture, used by name)
from tests.kb.test_store_migrate import assert_same, dump

SERVER = "http://qdrant.test:6333"
QUESTIONS = (
    "Does zelmorant reduce exacerbations in asthma?",
    "Does quorvafil lower blood pressure?",
    "Is brenotide associated with weight gain?",
)


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make every server URL reach one qdrant-client local-mode store on disk; return its folder."""
    # NOTE: no Qdrant server runs here; local mode on disk is the same client API and outlives one command.
    folder = tmp_path / "server"

    def local(*_args: object, **kwargs: object) -> QdrantClient:
        """Return a local-mode client in place of one for the server URL."""
        assert kwargs.get("url") == SERVER
        return QdrantClient(path=str(folder))

    monkeypatch.setattr(kb.store.factory, "QdrantClient", local)
    return folder


def answers(store: Path) -> list[str]:
    """Return `medkb ask --json` for each sample question."""
    replies = [medkb("ask", q, "--json", "--store", str(store)) for q in QUESTIONS]
    assert all(code == 0 for code, _, _ in replies)
    return [out for _, out, _ in replies]


def edge(path: Path) -> EdgeStore:
    """Open an existing embedded store with the embedder it was built with."""
    marker = json.loads((path / MARKER).read_text())
    return EdgeStore(path, marker["dim"], marker["embedder"], create=False)


@pytest.fixture
def opened() -> Iterator[list[EdgeStore]]:
    """Collect stores a test opens, and close them after it."""
    stores: list[EdgeStore] = []
    yield stores
    for store in stores:
        store.close()


def test_round_trip_through_a_server_keeps_points_lexicon_and_answers(
    demo_store: Path, server: Path, tmp_path: Path, opened: list[EdgeStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = medkb("migrate", "--to", SERVER, "--store", str(demo_store))
    assert code == 0, err
    said = " ".join(out.split())
    assert "every count equals the source's" in said and f"the lexicon stays in {demo_store}" in said
    back = tmp_path / "back"
    code, out, err = medkb("migrate", "--to", str(back), "--from-url", SERVER, "--store", str(demo_store))
    assert code == 0, err
    assert "lexicon copied: lexicon.json.gz" in out
    assert (back / LEXICON_FILE).read_bytes() == (demo_store / LEXICON_FILE).read_bytes()
    original = edge(demo_store)
    opened.append(original)
    local = ClientStore(QdrantClient(path=str(server)), original.dim)
    try:
        assert_same(dump(original), dump(local))
    finally:
        local.close()
    opened.append(edge(back))
    assert_same(dump(original), dump(opened[-1]))
    for store in opened:
        store.close()
    expected = answers(demo_store)
    assert answers(back) == expected
    monkeypatch.setenv("MEDKB_QDRANT_URL", SERVER)
    assert answers(demo_store) == expected  # NOTE: the server's points with the lexicon left beside the store


def test_migrating_to_a_folder_again_changes_nothing(demo_store: Path, tmp_path: Path, opened: list[EdgeStore]) -> None:
    copy = tmp_path / "copy"
    for _ in range(2):
        code, out, err = medkb("migrate", "--to", str(copy), "--store", str(demo_store))
        assert code == 0, err
    assert "(documents 13, chunks 51, claims 37, entities 55)" in " ".join(out.split()) and "lexicon copied" in out
    opened.extend([edge(demo_store), edge(copy)])
    assert_same(dump(opened[0]), dump(opened[1]))


def test_the_source_itself_or_a_missing_source_is_refused(demo_store: Path, tmp_path: Path, server: Path) -> None:
    code, _, err = medkb("migrate", "--to", str(demo_store), "--store", str(demo_store))
    assert code == 2 and "is the folder of the knowledge base being migrated" in err
    code, _, err = medkb("migrate", "--to", SERVER + "/", "--from-url", SERVER, "--store", str(demo_store))
    assert code == 2 and "is the server being migrated from" in err
    code, _, err = medkb("migrate", "--to", "localhost:6333", "--store", str(demo_store))
    assert code == 2 and "write http://localhost:6333" in err and not Path("localhost:6333").exists()
    code, _, err = medkb("migrate", "--to", str(tmp_path / "x"), "--store", str(tmp_path / "nothing"))
    assert code == 1 and "no knowledge base at" in err and "Traceback" not in err
    code, _, err = medkb("migrate", "--to", str(tmp_path / "x"), "--from-url", SERVER, "--store", str(tmp_path))
    assert code == 1 and "holds no points" in err


def test_a_foreign_folder_is_not_overwritten(demo_store: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"\xff\xd8")
    code, _, err = medkb("migrate", "--to", str(foreign), "--store", str(demo_store))
    assert code == 1 and "is not empty and is not a MedKB knowledge base" in err
    # NOTE: the store's lock file is made before the folder is looked at (see kb/store/edge.py), and is empty
    assert {p.name for p in foreign.iterdir()} <= {"cat.jpg", ".medkb.lock"}
    assert (foreign / "cat.jpg").read_bytes() == b"\xff\xd8"


def test_the_lexicon_and_its_journal_travel_and_a_stale_journal_goes(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    target.mkdir()
    (source / LEXICON_FILE).write_bytes(b"lexicon")
    (source / JOURNAL_FILE).write_text("unfinished\n")
    assert carry_lexicon(source, target) == [LEXICON_FILE, JOURNAL_FILE]
    assert (target / JOURNAL_FILE).read_text() == "unfinished\n" and (target / LEXICON_FILE).read_bytes() == b"lexicon"
    (source / JOURNAL_FILE).unlink()
    assert carry_lexicon(source, target) == [LEXICON_FILE]
    assert sorted(p.name for p in target.iterdir()) == [LEXICON_FILE]


def test_the_memory_of_questions_travels_with_the_lexicon(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    target.mkdir()
    Memory(source / MEMORY_FILE).save("Does x reduce y?", "keep me")
    assert carry_lexicon(source, target) == [MEMORY_FILE]
    assert [(q.question, q.note) for q in Memory(target / MEMORY_FILE).questions()] == [("Does x reduce y?", "keep me")]


needs_server = pytest.mark.skipif(not os.environ.get("QDRANT_URL"), reason="set QDRANT_URL to a Qdrant server (on "
                                  "127.0.0.1: the tests may reach no other host) to run the migration against it")


@pytest.fixture
def real_server() -> Iterator[tuple[QdrantClient, str]]:
    """Yield a client of the server at QDRANT_URL and a collection prefix of this test's own, dropped after it."""
    client = QdrantClient(url=os.environ["QDRANT_URL"], api_key=os.environ.get("QDRANT_API_KEY"))
    prefix = f"medkb_test_{uuid.uuid4().hex[:8]}_"
    yield client, prefix
    for c in client.get_collections().collections:
        if c.name.startswith(prefix):
            client.delete_collection(c.name)
    client.close()


@needs_server
def test_round_trip_through_a_real_server(demo_store: Path, real_server: tuple[QdrantClient, str]) -> None:
    client, prefix = real_server
    kb = open_kb(Settings(store=demo_store), create=False)
    try:
        remote = ClientStore(client, kb.embedder.dim, prefix=prefix, layout=Layout(shards=2, on_disk_payload=True))
        assert copy_store(kb.store, remote).total == sum(len(points) for points in dump(kb.store).values())
        assert_same(dump(kb.store), dump(remote))
        config = client.get_collection(f"{prefix}claims").config
        assert config.params.shard_number == 2 and config.params.on_disk_payload is True
        for q in QUESTIONS:
            ask = {"embedder": kb.embedder, "lexicon": kb.lexicon}
            assert answer_question(q, store=remote, **ask) == answer_question(q, store=kb.store, **ask)
    finally:
        kb.close()


@needs_server
def test_a_real_server_creates_int8_collections_with_vectors_on_disk(real_server: tuple[QdrantClient, str]) -> None:
    client, prefix = real_server
    ClientStore(client, 8, prefix=prefix, layout=Layout(on_disk_vectors=True, int8=True))
    config = client.get_collection(f"{prefix}chunks").config
    quantized, vectors = config.quantization_config, config.params.vectors
    assert isinstance(quantized, models.ScalarQuantization) and quantized.scalar.type == models.ScalarType.INT8
    # NOTE: a server that knows `memory` may report the placement there rather than in the deprecated flags
    assert quantized.scalar.always_ram is True or quantized.scalar.memory == models.Memory.PINNED
    assert isinstance(vectors, dict)
    assert vectors["dense"].on_disk is True or vectors["dense"].memory == models.Memory.COLD
