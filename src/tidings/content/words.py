"""Words of a text: counting, reading time, normalized tokens, a language guess.

Scripts without spaces between words (Chinese, Japanese, Thai …) count one
word per character; reading time uses 230 words a minute for spaced scripts
and 500 characters a minute for the others.
"""

from __future__ import annotations

import math
import re

__all__ = ["count_words", "guess_language", "reading_minutes", "tokens"]

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_UNSPACED_RE = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f]"
)
# ``_WORD_RE.findall`` is 3x slower on text with any non-ASCII character; these
# (never word characters) are the usual ones in English text and our own bullets.
_PUNCTUATION = "\u2019\u2018\u201c\u201d\u2014\u2013\u2026\u2022\u00a0\u00ab\u00bb\u2032"
_ASCII_NON_WORD = str.maketrans(
    dict.fromkeys((chr(i) for i in range(128) if not (chr(i).isalnum() or chr(i) == "_")), " ")
)
WORDS_PER_MINUTE = 230
CHARS_PER_MINUTE = 500


def _find_words(low: str) -> list[str]:
    """``_WORD_RE.findall(low)``, 2-5x faster (str methods where the text allows)."""
    if not low.isascii():
        for char in _PUNCTUATION:
            if char in low:
                low = low.replace(char, " ")
        if not low.isascii():
            return _WORD_RE.findall(low)
    return low.translate(_ASCII_NON_WORD).split()


def tokens(text: str) -> list[str]:
    """Lower-case word tokens (each unspaced-script character is a token)."""
    low = text.lower()
    if low.isascii() or _UNSPACED_RE.search(low) is None:
        return _find_words(low)
    out: list[str] = []
    for word in _WORD_RE.findall(low):
        if _UNSPACED_RE.search(word) is None:
            out.append(word)
        else:
            out.extend(_split_unspaced(word))
    return out


def _split_unspaced(word: str) -> list[str]:
    out: list[str] = []
    run: list[str] = []
    for ch in word:
        if _UNSPACED_RE.match(ch):
            if run:
                out.append("".join(run))
                run = []
            out.append(ch)
        else:
            run.append(ch)
    if run:
        out.append("".join(run))
    return out


def count_words(text: str) -> int:
    """Words in ``text`` (unspaced-script characters count one each)."""
    return len(tokens(text)) if text else 0


def reading_minutes(text: str, words: int | None = None) -> int:
    """Whole minutes to read ``text`` (at least 1 when there is any text);
    ``words``: its ``count_words``, if already known."""
    if not text.strip():
        return 0
    unspaced = 0 if text.isascii() else len(_UNSPACED_RE.findall(text))
    spaced = (count_words(text) if words is None else words) - unspaced
    return max(1, math.ceil(spaced / WORDS_PER_MINUTE + unspaced / CHARS_PER_MINUTE))


_STOPWORDS = {
    "en": "the and of to in is that for it with as was on are be by this at from have has",
    "de": "der die und das ist nicht sich mit den von ein eine auf für dem des auch zu im",
    "fr": "le la les et des est une un du que dans pour pas sur au qui avec il ce elle",
    "es": "el la de que y los las en del se por con una para es al su lo como más pero",
    "it": "il di che la è per un una non sono con del della le si gli nel anche ma alla",
    "pt": "de que não uma para com os do da em se na por mais as dos como mas foi ao ele",
    "nl": "de het een en van is dat op te in niet zijn voor met die aan ook als maar dan",
    "sv": "och att det som en på är av för med till den har inte om ett var jag men",
}
_STOPSETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
_STOP_LANGUAGES: dict[str, list[str]] = {}  # stopword -> the languages it is one of
for _lang, _stop in _STOPSETS.items():
    for _word in _stop:
        _STOP_LANGUAGES.setdefault(_word, []).append(_lang)
_SCRIPTS = (
    ("ja", re.compile("[\u3040-\u30ff]")),
    ("ko", re.compile("[\uac00-\ud7af]")),
    ("zh", re.compile("[\u4e00-\u9fff]")),
    ("ru", re.compile("[\u0400-\u04ff]")),
    ("ar", re.compile("[\u0600-\u06ff]")),
    ("he", re.compile("[\u0590-\u05ff]")),
    ("el", re.compile("[\u0370-\u03ff]")),
    ("th", re.compile("[\u0e00-\u0e7f]")),
    ("hi", re.compile("[\u0900-\u097f]")),
)


def guess_language(text: str) -> str | None:
    """A rough language code from the script or common words; None when unsure."""
    sample = text[:4000]
    # a script can have more than a tenth of the characters only if non-ASCII
    # ones (1-3 extra UTF-8 bytes each) do: most texts skip the nine scans
    extra = len(sample.encode("utf-8", "surrogatepass")) - len(sample)
    for lang, script in _SCRIPTS if extra > len(sample) // 10 else ():
        if len(script.findall(sample)) > len(sample) // 10:
            return lang
    found = _find_words(sample.lower())
    if len(found) < 20:
        return None
    scores = dict.fromkeys(_STOPSETS, 0)
    for word in found:
        for lang in _STOP_LANGUAGES.get(word, ()):
            scores[lang] += 1
    best = max(scores, key=lambda lang: scores[lang])
    ranked = sorted(scores.values(), reverse=True)
    return best if ranked[0] >= 5 and ranked[0] >= 1.5 * ranked[1] else None
