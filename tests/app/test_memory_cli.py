"""`medkb ask --save`, `medkb questions`, `medkb rerun` and `medkb update` end to end: real embedded stores, the
demo corpus, and a loopback E-utilities server whose later replies bring a retraction, a new study and a deletion."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from lxml import etree

from app.resources import open_kb
from kb.config import Settings
from tests.app.test_cli import demo_store, medkb  # noqa: F401  (a fixture, used by name)
from tests.conftest import DEMO
from tests.fetch_servers import Replay, Reply, esearch_reply, fetch_env, needs_replies

Serve = Callable[[Callable[[str, dict[str, str]], Reply]], Replay]
ZELMORANT = "Does zelmorant reduce exacerbations in asthma?"
BRENOTIDE = "Is brenotide associated with weight gain?"
RETRACTION = '<CommentsCorrections RefType="RetractionIn"><RefSource>J Demo 2026</RefSource></CommentsCorrections>'


def test_ask_save_then_questions_and_rerun(demo_store: Path) -> None:  # noqa: F811
    store = ("--store", str(demo_store))
    code, _, err = medkb("ask", ZELMORANT, "--save", "--note", "watch for new trials", *store)
    assert code == 0 and "saved as question" in err
    assert medkb("ask", "Does zelmorant improve FEV1?", "--no-history", *store)[0] == 0
    assert medkb("ask", BRENOTIDE, *store)[0] == 0
    code, out, _ = medkb("questions", "--json", *store)
    listed = json.loads(out)
    assert [q["question"] for q in listed] == [BRENOTIDE, ZELMORANT], "--no-history keeps nothing"
    assert [(q["saved"], q["note"]) for q in listed] == [(False, None), (True, "watch for new trials")]
    code, out, _ = medkb("questions", "--saved", *store)
    assert code == 0 and ZELMORANT in out and "watch for new trials" in out and BRENOTIDE not in out
    code, out, _ = medkb("rerun", listed[1]["id"][:5], "--json", *store)
    again = json.loads(out)
    assert code == 0 and again["question"] == ZELMORANT and not again["first_answer"]
    assert again["lines"] == [] and again["changes"]["new_studies"] == [], "same knowledge base, same answer"
    code, out, _ = medkb("rerun", listed[1]["id"], *store)
    assert code == 0 and "no change since" in out
    code, _, err = medkb("rerun", "ffffffff", *store)
    assert code == 1 and "no question" in err and "medkb questions" in err and "Traceback" not in err


def test_a_memory_that_cannot_be_written_still_shows_the_answer(demo_store: Path) -> None:  # noqa: F811
    memory = demo_store / "memory.sqlite"
    kept = memory.read_bytes() if memory.exists() else None
    memory.write_bytes(b"this is not an SQLite database" * 100)
    try:
        code, out, err = medkb("ask", ZELMORANT, "--save", "--store", str(demo_store))
    finally:
        memory.unlink()
        if kept is not None:
            memory.write_bytes(kept)
    assert code == 0 and "zelmorant" in out.lower() and "Traceback" not in err
    assert "warning: the question was not kept" in err and "memory.sqlite" in err and "move the file aside" in err


def _records(*pmids: str, retracted: str = "", deleted: str = "") -> bytes:
    """Return a PubmedArticleSet of the demo records with these PMIDs (one retracted, and a DeleteCitation)."""
    tree = etree.parse(str(DEMO / "pubmed_demo.xml"))
    chosen = []
    for article in tree.iter("PubmedArticle"):
        pmid = article.findtext("MedlineCitation/PMID")
        if pmid in pmids:
            if pmid == retracted:
                citation = article.find("MedlineCitation")
                citation.append(etree.fromstring(f"<CommentsCorrectionsList>{RETRACTION}</CommentsCorrectionsList>"))
            chosen.append(etree.tostring(article))
    if deleted:
        chosen.append(f'<DeleteCitation><PMID Version="1">{deleted}</PMID></DeleteCitation>'.encode())
    return b"<PubmedArticleSet>" + b"".join(chosen) + b"</PubmedArticleSet>"


def _pubmed(later: dict[str, bool]) -> Callable[[str, dict[str, str]], Reply]:
    """Answer a first fetch of 'zelmorant' (ZEPHYR-1) and 'brenotide' (its case report); once later['on'] is set,
    a search by modification date finds ZEPHYR-1 retracted, ZEPHYR-2 new and the case report deleted, and
    'brenotide' fails with 500s."""
    def answer(endpoint: str, params: dict[str, str]) -> Reply:
        term, update = params.get("term", ""), params.get("datetype") == "mdat"
        if endpoint == "esearch.fcgi":
            if update and term == "brenotide" and later["on"]:
                return Reply(500, b"<html>Internal Server Error</html>")
            count = 2 if update and later["on"] else 1
            key = f"{term}-{'update' if update and later['on'] else 'first'}"
            return Reply(body=esearch_reply(count).replace(b"MCID_test_webenv", key.encode()))
        replies = {"zelmorant-first": _records("90000001"), "brenotide-first": _records("90000005"),
                   "zelmorant-update": _records("90000001", "90000002", retracted="90000001", deleted="90000005")}
        body = replies.get(params.get("WebEnv", ""))
        return Reply(body=body) if body else Reply(400, b"<eFetchResult><ERROR>unknown</ERROR></eFetchResult>")
    return answer


def _pmids(store: Path) -> set[str]:
    """Return the PMIDs of the stored documents."""
    kb = open_kb(Settings(store=store), create=False)
    try:
        return {str(h.payload.get("pmid")) for h in kb.store.scroll("documents", fields=("pmid",))}
    finally:
        kb.close()


@needs_replies
def test_update_reingests_and_says_what_changed_and_a_failing_fetch_does_not_stop_the_rest(
        serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    later = {"on": False}
    fake = serve(_pubmed(later))
    store = tmp_path / "kb"
    fetch_env(monkeypatch, store, PUBMED_URL=fake.url)
    for query in ("zelmorant", "brenotide"):
        code, _, err = medkb("fetch", "pubmed", query)
        assert code == 0, err
    assert _pmids(store) == {"90000001", "90000005"}
    for question in (ZELMORANT, BRENOTIDE):
        assert medkb("ask", question, "--save")[0] == 0
    later["on"] = True
    fake.requests.clear()
    code, out, err = medkb("update", "--json")
    assert code == 1, "a failed fetch is reported in the exit code too"
    assert "PubMed 'brenotide'" in err and "the other fetches go on" in err and "Traceback" not in err
    report = json.loads(out)
    fetches = {f["query"]: f for f in report["fetches"]}
    assert not fetches["brenotide"]["ok"] and "500" in fetches["brenotide"]["error"]
    assert fetches["zelmorant"]["ok"] and fetches["zelmorant"]["new"] == 2
    yesterday = (date.today() - timedelta(days=1)).strftime("%Y/%m/%d")
    assert {(p["term"], p["mindate"], p["maxdate"]) for p in fake.calls("esearch.fcgi") if p["datetype"] == "mdat"} \
        == {("zelmorant", yesterday, yesterday), ("brenotide", yesterday, yesterday)}
    assert _pmids(store) == {"90000001", "90000002"}, "the DeleteCitation took the case report's points out"
    answers = {q["question"]: q for q in report["questions"]}
    zel = answers[ZELMORANT]
    assert zel["changes"]["notices"][0]["study"]["pmid"] == "90000001"
    assert zel["lines"][0]["kind"] == "retracted" and "ZEPHYR-1" in zel["lines"][0]["text"]
    assert [s["pmid"] for s in zel["changes"]["new_studies"]] == ["90000002"]
    assert [s["pmid"] for s in zel["changes"]["removed_studies"]] == ["90000001"]
    bren = answers[BRENOTIDE]
    assert [s["pmid"] for s in bren["changes"]["removed_studies"]] == ["90000005"]
    assert bren["changes"]["vanished_findings"], "no claim of a deleted record answers any more"
    assert not any(line["kind"] == "retracted" for line in bren["lines"]), "ZEPHYR-1 was never its evidence"
    code, out, err = medkb("update")
    assert code == 1 and "What changed in 2 saved questions" in out
    assert out.count("no change since") == 2, "the same records again change nothing"
