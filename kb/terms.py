"""One term matcher for the answer path: folded words, phrase containment and abbreviations a text defines.

Every question-to-claim comparison goes through here: a question's term (or a synonym of it) matches a claim's
entity when all its content words occur in the entity's name, so the entity is as specific as the term or more
("blood pressure" matches "systolic blood pressure"; "budesonide-formoterol" never matches "budesonide").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# NOTE: British and American spellings fold to one form; both sides are folded alike, so a rule only has to
# be consistent, not linguistically exact.
_SPELLING: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"isation", "ization"), (r"is(e|ed|es|ing)$", r"iz\1"), (r"ae", "e"), (r"oe", "e"), (r"our$", "or"),
    (r"tre$", "ter"),
))
_TOKEN = re.compile(r"[^\W_]+", re.U)
# NOTE: "β-blocker" and "beta-blocker" are one word; the letter is spelt out with a space, as a hyphen would be.
_GREEK = str.maketrans({"α": " alpha ", "β": " beta ", "γ": " gamma ", "δ": " delta ", "κ": " kappa ",
                        "µ": " mu ", "μ": " mu ", "ω": " omega "})
# NOTE: words that join or frame a term without naming anything ("risk of stroke" = "stroke risk").
STOP = frozenset("a an the of in on at for to with and or by from as vs versus".split())
# NOTE: doses, units and schedules say how much, not what: "zelmorant 200 mg once daily" is zelmorant.
DOSE = re.compile(
    r"(?<![\w.])\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|g|kg|ml|l|iu|units?|%|mmol|µmol|nmol)(?:\s*/\s*(?:kg|ml|l|d|day|"
    r"dose|m2))?(?!\w)|\b(?:once|twice|thrice|daily|weekly|monthly|nightly)\b", re.I)
# NOTE: devices and tissues an outcome can belong to instead of the patient: "filter survival" is not survival.
THINGS = (r"(?:filter|circuit|graft|allograft|catheter|implant|flap|stent|fistula|shunt|tube|prosthes[ie]s|restoration|"
          r"tooth|teeth|device|pump|lead|valve|embryo|islet)s?")
# NOTE: an abbreviation is matched as written ("MP" is not "mp"); it has no lowercase letter and 2+ capitals.
_ABBREVIATION = re.compile(r"^(?=(?:[^A-Z]*[A-Z]){2})[A-Z0-9][A-Z0-9α-ω&/+-]{1,11}$")


def fold_word(word: str) -> str:
    """Return a word casefolded, with one spelling and simple plurals made singular."""
    w = word.casefold()
    if len(w) <= 3 or not w.isalpha():
        return w
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for pattern, repl in _SPELLING:
        w = pattern.sub(repl, w)
    return w


def words(text: str) -> tuple[str, ...]:
    """Return the folded words of a text, in order (hyphens, slashes and dashes split words; β is beta)."""
    return tuple(fold_word(t) for t in _TOKEN.findall(text.translate(_GREEK)))


def normalize(text: str) -> str:
    """Return a text folded for comparison: its folded words joined by single spaces."""
    return " ".join(words(text))


@lru_cache(maxsize=65536)
def content_words(text: str) -> tuple[str, ...]:
    """Return the folded words of a term without doses, units, schedules and joining words."""
    return tuple(w for w in words(DOSE.sub(" ", text)) if w not in STOP)


# NOTE: how, how much or when an intervention is given, not what it is: "intermittent diazepam" is diazepam given so.
MODIFIERS = frozenset(fold_word(w) for w in """
intermittent continuous oral intravenous iv im subcutaneous topical inhaled nebulised nebulized intranasal rectal
low high dose standard conventional routine usual additional adjunctive adjuvant add on early late short long term
single repeated prophylactic preoperative postoperative perioperative maintenance needed as-needed regular daily
""".split())


def core(form: str) -> str:
    """Return a term without how, how much or when it is given ("intermittent diazepam 5 mg" -> "diazepam")."""
    return " ".join(w for w in content_words(form) if w not in MODIFIERS)


def is_abbreviation(form: str) -> bool:
    """Return whether a form is an abbreviation, matched only with its exact case ("MP", "CPM-26")."""
    return bool(_ABBREVIATION.match(form.strip()))


def _has_token(form: str, text: str) -> bool:
    return re.search(rf"(?<![^\W_]){re.escape(form.strip())}(?![^\W_])", text) is not None


def covers(form: str, name: str) -> bool:
    """Return whether a question's term covers an entity's name: all its content words occur in the name."""
    if is_abbreviation(form):
        return _has_token(form, name)
    wanted = content_words(form)
    return bool(wanted) and set(wanted) <= set(words(name))


def covers_any(forms: Iterable[str], names: Iterable[str]) -> str | None:
    """Return the first form that covers one of the names, or None."""
    names = [n for n in names if n]
    return next((f for f in forms if any(covers(f, n) for n in names)), None)


@lru_cache(maxsize=4096)
def _running(text: str) -> tuple[tuple[str, ...], dict[str, list[int]]]:
    """Return a text's folded words without joining words, and where each starts (one text, many forms)."""
    have = tuple(w for w in words(text) if w not in STOP)
    at: dict[str, list[int]] = {}
    for i, w in enumerate(have):
        at.setdefault(w, []).append(i)
    return have, at


def occurs(form: str, text: str) -> bool:
    """Return whether a term occurs in a text as a run of its content words (joining words skipped)."""
    if is_abbreviation(form):
        return _has_token(form, text)
    wanted = content_words(form)
    if not wanted:
        return False
    have, at = _running(text)
    n = len(wanted)
    return any(have[i : i + n] == wanted for i in at.get(wanted[0], ()))


def occurs_any(forms: Iterable[str], text: str) -> str | None:
    """Return the first form occurring in a text, or None."""
    return next((f for f in forms if occurs(f, text)), None)


def same(a: str, b: str) -> bool:
    """Return whether two terms fold to the same content words."""
    return bool(content_words(a)) and content_words(a) == content_words(b)
