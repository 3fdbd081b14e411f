"""Reference exports: BibTeX, RIS and CSV that standard readers parse back to the inputs."""

from __future__ import annotations

import csv
import io

import bibtexparser
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

from kb.report import render
from tests.kb.report_fixtures import (
    ANSWER,
    CORPUS,
    DOCUMENTS,
    QUOTES,
    RCT,
    TRIAL,
    XSS,
    XSS_TITLE,
    answer_citing,
    cite,
)


def test_bibtex_parses_back_to_the_inputs() -> None:
    lib = bibtexparser.parse_string(render(ANSWER, CORPUS, "bib", documents=DOCUMENTS).decode("utf-8"))
    assert lib.failed_blocks == []
    assert [e.key for e in lib.entries][:4] == ["pmid31000001", "NCT01234567", "pmid31000003", "pmid31000004"]
    paper = lib.entries[0].fields_dict
    assert lib.entries[0].entry_type == "article"
    assert paper["title"].value == RCT.title
    assert paper["author"].value == "O'Byrne, P. M. and FitzGerald, J. M."
    assert paper["journal"].value == "The New England journal of medicine"
    assert (paper["year"].value, paper["doi"].value, paper["eprint"].value) == ("2019", RCT.doi, RCT.pmid)
    trial = lib.entries[1]
    assert trial.entry_type == "misc"
    assert trial.fields_dict["url"].value == "https://clinicaltrials.gov/study/NCT01234567"
    assert trial.fields_dict["title"].value == TRIAL.title
    assert lib.entries[3].fields_dict["title"].value == XSS_TITLE
    assert "doi" not in lib.entries[3].fields_dict


def test_bibtex_and_ris_name_the_surname_as_the_surname() -> None:
    # NOTE: "O'Byrne PM" as written in PubMed reads in BibTeX as first name "O'Byrne", last name "PM".
    answer = answer_citing(cite("claim-people", "doc-people", "A trial", "A quote.", pmid="31000098"))
    doc = DOCUMENTS[0].model_copy(update={"id": "doc-people", "authors": ("O'Byrne PM", "ISIS-2 Collaborative Group",
                                                                           "van der Berg J")})
    text = render(answer, CORPUS, "bib", documents=[doc]).decode("utf-8")
    lib = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    names = lib.entries[0].fields_dict["author"].value
    assert [(n.last, n.first) for n in names] == [(["O'Byrne"], ["P.", "M."]), (["{ISIS-2 Collaborative Group}"], []),
                                                  (["Berg"], ["J."])]
    assert names[2].von == ["van", "der"]
    ris = rispy.loads(render(answer, CORPUS, "ris", documents=[doc]).decode("utf-8"))
    assert ris[0]["authors"] == ["O'Byrne, P.M.", "ISIS-2 Collaborative Group", "van der Berg, J."]


def test_bibtex_escapes_braces_and_tex_specials() -> None:
    odd = cite("claim-odd", "doc-odd", "Unbalanced } brace {and} 50% & $x_1$ #2", "A quote.", pmid="31000099")
    answer = answer_citing(odd)
    lib = bibtexparser.parse_string(render(answer, CORPUS, "bib").decode("utf-8"))
    assert lib.failed_blocks == [] and len(lib.entries) == 1
    title = lib.entries[0].fields_dict["title"].value
    assert title == (r"Unbalanced \textbraceright{} brace \textbraceleft{}and\textbraceright{} "
                     r"50\% \& \$x\_1\$ \#2")


def test_ris_parses_back_to_the_inputs() -> None:
    entries = rispy.loads(render(ANSWER, CORPUS, "ris", documents=DOCUMENTS).decode("utf-8"))
    assert [e["type_of_reference"] for e in entries] == ["JOUR", "ICOMM", "JOUR", "JOUR", "JOUR"]
    paper = entries[0]
    assert paper["title"] == RCT.title
    assert paper["authors"] == ["O'Byrne, P.M.", "FitzGerald, J.M."]
    assert (paper["year"], paper["journal_name"], paper["doi"]) == ("2019", "The New England journal of medicine",
                                                                    RCT.doi)
    assert paper["urls"] == ["https://pubmed.ncbi.nlm.nih.gov/31000001/", "https://doi.org/10.1000/medkb.2019.001"]
    assert entries[1]["urls"] == ["https://clinicaltrials.gov/study/NCT01234567"]
    assert entries[3]["title"] == XSS_TITLE and "doi" not in entries[3]


def test_ris_keeps_a_multiline_title_on_one_line() -> None:
    forged = cite("claim-nl", "doc-nl", "Title\nER  - \nTY  - JOUR\nTI  - forged", "A quote.")
    answer = answer_citing(forged)
    entries = rispy.loads(render(answer, CORPUS, "ris").decode("utf-8"))
    assert len(entries) == 1 and entries[0]["title"] == "Title ER - TY - JOUR TI - forged"


def test_csv_has_one_row_per_cited_claim() -> None:
    rows = list(csv.DictReader(io.StringIO(render(ANSWER, CORPUS, "csv").decode("utf-8"))))
    assert [r["claim_id"] for r in rows] == ["claim-rct", "claim-trial", "claim-cohort", "claim-xss", "claim-series"]
    assert {r["quote"] for r in rows} == QUOTES
    trial = rows[1]
    assert (trial["effect"], trial["ci"], trial["design"], trial["n"]) == ("HR 0.82", "0.71–0.95", "RCT",
                                                                         "3849 (actual)")
    assert trial["field"] == TRIAL.field and trial["page"] == ""
    assert rows[0]["p"] == "p < 0.001" and rows[3]["title"] == XSS.title


def test_csv_defuses_spreadsheet_formulas() -> None:
    evil = cite("claim-f", "doc-f", '=HYPERLINK("http://x","y")', "A quote.")
    answer = answer_citing(evil)
    (row,) = csv.DictReader(io.StringIO(render(answer, CORPUS, "csv").decode("utf-8")))
    assert row["title"] == '\'=HYPERLINK("http://x","y")'
