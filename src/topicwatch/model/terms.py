"""From article text to the terms a keyword line is made of: words and learned phrases.

Steps, each small: strip boilerplate (URLs, e-mail addresses, lines repeated across many articles
such as bylines and "please direct any questions ..."), fold spelling variants of names onto one
canonical form, tokenize into lower-case alphabetic words, then join runs of words that the archive
uses as fixed phrases ("ryanggang province", "ministry of state security").

Korean (runs of Hangul) is tokenized by morphological analysis instead (``korean.py``): its nouns,
particles and endings removed. Function words of Spanish are stop words too, so a Spanish article's
"de la que" never stands in a keyword line.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .aliases import AliasTable
from .korean import korean_terms
from .names import korean_form


def _english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words (the Glasgow IR group's list), read from its own module file
    without importing scikit-learn, whose import costs most of a second of every command."""
    spec = importlib.util.find_spec("sklearn")  # finds the package without importing it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = f"{folder}/feature_extraction/_stop_words.py"
        module_spec = importlib.util.spec_from_file_location("topicwatch_english_stop_words", path)
        if module_spec is not None and module_spec.loader is not None:
            try:
                module = importlib.util.module_from_spec(module_spec)
                module_spec.loader.exec_module(module)
                return frozenset(module.ENGLISH_STOP_WORDS)
            except (OSError, AttributeError):
                break
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


ENGLISH_STOP_WORDS = _english_stop_words()
# Words that carry no topic in news prose, beyond the usual English function words.
NEWS_STOP_WORDS = frozenset(
    ["said", "says", "say", "told", "according", "reported", "reports", "reportedly", "also", "would", "could", "like", "just", "year", "years", "month", "months", "week", "weeks", "day", "days", "today", "yesterday", "time", "times", "mr", "mrs", "ms", "dr", "including", "include", "includes", "included", "make", "made", "making", "way", "ways", "new", "one", "two", "three", "four", "five", "many", "much", "well", "may", "might", "must", "can", "will", "shall", "us", "use", "used", "using", "get", "got", "going", "went", "go", "per", "cent", "percent", "people", "thing", "things", "lot", "really", "even", "still", "since", "however", "though", "although", "st", "nd", "rd", "th", "pm", "am", "bn", "mn", "week's", "year's", "s", "t", "don", "didn", "doesn", "isn", "wasn", "won", "wouldn", "couldn", "ve", "ll", "re",
     "haven", "hasn", "hadn", "aren", "weren", "shouldn", "mustn", "needn", "mightn", "ain",
     # Weekdays date a story and say nothing of it ("dprk on saturday").
     "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
)
# Spanish function words, less those that are also English content words or names ("era", "son", "fin",
# "han", "ante", "un" as in Kim Jong Un and the UN).
SPANISH_STOP_WORDS = frozenset([
    "el", "la", "los", "las", "lo", "le", "les", "una", "unos", "unas", "uno", "de", "del", "al",
    "y", "e", "o", "u", "que", "qué", "en", "por", "para", "con", "sin", "sobre", "entre", "desde",
    "hasta", "hacia", "contra", "según", "durante", "mediante", "tras", "se", "su", "sus", "mi", "mis",
    "tu", "tus", "nuestro", "nuestra", "nuestros", "nuestras", "es", "está", "están", "estaba", "fue",
    "fueron", "ser", "sido", "siendo", "ha", "había", "habían", "hay", "haber", "este", "esta",
    "estos", "estas", "ese", "esa", "esos", "esas", "aquel", "aquella", "como", "cuando", "donde", "más",
    "mas", "muy", "ya", "también", "pero", "sino", "ni", "porque", "pues", "cual", "cuales", "quien", "quienes",
    "cuyo", "todo", "toda", "todos", "todas", "otro", "otra", "otros", "otras", "mismo", "misma", "cada",
    "dicho", "dicha", "dijo", "dice", "sea", "será", "serán", "tiene", "tienen", "tenía", "hace",
    "hacer", "así", "aún", "bajo", "año", "años", "día", "días", "vez", "dos", "tres"
])
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | NEWS_STOP_WORDS | SPANISH_STOP_WORDS
# Words allowed inside a phrase but never at its ends ("ministry of state security").
CONNECTORS = frozenset({"of", "and", "for", "the", "de", "on"})

# The source credit and dateline of agency copy say who filed a story and where, not what it is about:
# "Pyongyang, December 24 (KCNA) --", "WASHINGTON (Reuters) -", and a credit alone, "(AP)".
_DATELINE_RE = re.compile(
    r"^[ \t]*[A-Z][A-Za-z .'-]{1,40}?(?:, [A-Z][a-z]{2,8}\.? \d{1,2})?[ \t]*\([A-Z][A-Za-z ]{1,15}\)[ \t]*(?:--|—|–|-|:)",
    re.MULTILINE,
)
_CREDIT_RE = re.compile(r"\((?:AP|AFP|Reuters|KCNA|Xinhua|Yonhap|UPI|dpa|AAP|Kyodo|Itar-Tass|TASS|CNA|PTI|"
                        r"Bloomberg|CNN|BBC|NHK|RIA Novosti|Interfax|EFE|ANSA|Sputnik)\)")
# Links and mail addresses, in lower-cased text. Each is looked for only where its marker stands ("://"
# or "www.", "@"): most articles hold neither, and the address pattern, tried at every word, was the
# costliest step of labelling. The possessive run never backtracks over a long word that has no "@".
_LINK_RE = re.compile(r"(?:https?://|www\.)\S+")
_EMAIL_RE = re.compile(r"\b[\w.+-]++@[\w-]+\.[\w.-]+\b")
_LATIN = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u017f"  # lower-case letters, accented ones too ("cooperación")
# A word is letters, or letters and digits together: a model or part number ("486dx", "st138",
# "cg4", "mp3") names a thing as a name does, and a reader looks for it in the line. A number alone,
# an ordinal, a decade or a time of day ("1990s", "4th", "10am") is not a word.
_WORD_RE = re.compile(f"[{_LATIN}0-9]+")
_NOT_A_WORD_RE = re.compile(r"\d+(?:st|nd|rd|th|s|am|pm|k|m|bn|kb|mb|gb|tb|hz|khz|mhz|ghz|bit|bits|kg|km|cm|mm|ms|x)")
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")
# A run of Korean: from a Hangul syllable up to the next Latin letter (spaces, digits, punctuation
# inside it are the analyser's to read).
_HANGUL_RUN_RE = re.compile(f"([\uac00-\ud7a3][^{_LATIN}]*)")
_POSSESSIVE_RE = re.compile(r"['\u2019]s\b")


def find_boilerplate(texts: Iterable[str], min_docs: int = 3, share: float = 0.01) -> frozenset[str]:
    """Lines (case-folded) that recur verbatim in many articles: bylines, sign-offs, disclaimers.

    A line counts when it stands in at least ``max(min_docs, share * n)`` articles and is not a
    bare short word; those lines are removed before keywords are counted.
    """
    line_docs: Counter[str] = Counter()
    n = 0
    for text in texts:
        n += 1
        seen = {_line_key(line) for line in text.split("\n") if len(line.strip()) >= 12}
        line_docs.update(seen)
    threshold = max(min_docs, int(share * n))
    return frozenset(key for key, count in line_docs.items() if count >= threshold)


def _line_key(line: str) -> str:
    return hashlib.blake2b(" ".join(line.lower().split()).encode(), digest_size=8).hexdigest()


@dataclass
class Tokenizer:
    """Text -> lower-case word tokens (stop words kept, so phrases can see their connectors).

    Hangul runs become their nouns (``korean_terms``; a name in its one Korean spelling, ``korean_form``),
    with a break token where other words stood;
    the Korean analyser is loaded only when a text holds Hangul.
    """

    boilerplate: frozenset[str] = frozenset()
    aliases: AliasTable = field(default_factory=AliasTable.builtin)

    def tokens(self, text: str) -> list[str]:
        if self.boilerplate:
            text = "\n".join(line for line in text.split("\n") if _line_key(line) not in self.boilerplate)
        text = _CREDIT_RE.sub(" ", _DATELINE_RE.sub(" ", text))
        text = self.aliases.canonicalize(_without_addresses(text.lower()))
        text = _POSSESSIVE_RE.sub("", text)
        if not _HANGUL_RE.search(text):
            return _latin_words(text)
        out: list[str] = []
        for i, piece in enumerate(_HANGUL_RUN_RE.split(text)):
            out.extend([korean_form(t) for t in korean_terms(piece)] if i % 2 else _latin_words(piece))
        return out


def _without_addresses(text: str) -> str:
    if "://" in text or "www." in text:
        text = _LINK_RE.sub(" ", text)
    if "@" in text:
        text = _EMAIL_RE.sub(" ", text)
    return text


def _latin_words(text: str) -> list[str]:
    return [word for word in _WORD_RE.findall(text)
            if len(word) > 1 and (word.isalpha() or _is_alphanumeric_name(word))]


def _is_alphanumeric_name(word: str) -> bool:
    """Letters and digits together, and not an ordinal, decade, hour or amount ("st138" yes; "4th",
    "1990s", "66mhz", "24bn", "42" no)."""
    return not word.isdigit() and not _NOT_A_WORD_RE.fullmatch(word)


@lru_cache(maxsize=1)
def _english_stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=262_144)
def word_stem(word: str) -> str:
    """The Snowball (Porter 2) stem of an English word ("buys", "buying" -> "buy"): what "the same
    word" means when a keyword line must not say a word twice. A model number is its letters ("cg4",
    "cg6" -> "cg": a line names one of a family). Other scripts pass unchanged."""
    if not word.isalpha() and any(c.isdigit() for c in word):
        letters = "".join(c for c in word if not c.isdigit())
        return _english_stemmer().stemWord(letters) if letters else word
    return _english_stemmer().stemWord(word)


@lru_cache(maxsize=262_144)
def term_stems(term: str) -> frozenset[str]:
    """The stems of a term's words ("border guards" -> {"border", "guard"})."""
    return frozenset(word_stem(w) for w in term.split())


_NAME_RE = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2}\b")


def names_in(text: str) -> dict[str, str]:
    """Each word of the proper names the text spells out (runs of two or three capitalized words,
    "Cyril Fletcher", "Kathy Butler"), lower-cased -> the whole name: so a line can say a name whole
    even where the archive is too small to have learned it as a phrase."""
    found: dict[str, str] = {}
    for match in _NAME_RE.finditer(text):
        words = match.group().lower().replace("-", " ").split()
        if len(set(words)) == len(words) and all(is_content_word(w) for w in words):
            for word in words:
                found.setdefault(word, " ".join(words))
    return found


def is_content_word(word: str) -> bool:
    """Not a stop word, and more than one letter (a one-syllable Korean noun counts: "당")."""
    return (len(word) > 1 or bool(_HANGUL_RE.match(word))) and word not in STOP_WORDS


@dataclass
class PhraseTable:
    """Fixed phrases of 2-4 words learned from the archive, matched longest first."""

    phrases: frozenset[tuple[str, ...]] = frozenset()
    max_len: int = 4

    @classmethod
    def learn(
        cls, token_lists: Iterable[Sequence[str]], min_count: int = 5, min_association: float = 0.3,
        known: Iterable[tuple[str, ...]] = (),
    ) -> PhraseTable:
        """Keep a run of words when it is frequent and its rarest content word mostly occurs in it.

        ``min_association`` is count(phrase) / count(rarest content word in it): "ryanggang
        province" passes because "ryanggang" rarely stands without "province". ``known`` phrases
        (the canonical names of the alias table, such as "kim jong un") are kept when seen at all.
        """
        known = {k for k in known if 2 <= len(k) <= cls.max_len}
        known_starts = {k[0] for k in known}
        word_counts: Counter[str] = Counter()
        gram_counts: Counter[tuple[str, ...]] = Counter()
        for tokens in token_lists:
            word_counts.update(tokens)
            content = [is_content_word(w) for w in tokens]
            n = len(tokens)
            for i in range(n):
                if tokens[i] in known_starts:
                    for size in range(2, cls.max_len + 1):
                        gram = tuple(tokens[i : i + size])
                        if gram in known:
                            gram_counts[gram] += 1
                if not content[i]:
                    continue
                # Grow a run from a content word over connectors; count it wherever it ends on one.
                for j in range(i + 1, min(n, i + cls.max_len)):
                    if content[j]:
                        gram_counts[tuple(tokens[i : j + 1])] += 1
                    elif tokens[j] not in CONNECTORS:
                        break
        kept = set()
        for gram, count in gram_counts.items():
            if gram in known:
                kept.add(gram)
                continue
            if count < min_count or len(set(gram)) < len(gram):
                continue
            rarest = min(word_counts[w] for w in gram if w not in CONNECTORS)
            if count / rarest >= min_association:
                kept.add(gram)
        return cls(frozenset(kept))

    def __post_init__(self) -> None:
        # Longest phrase starting with each word: most words start none, and are checked in O(1).
        self._longest: dict[str, int] = {}
        for phrase in self.phrases:
            self._longest[phrase[0]] = max(self._longest.get(phrase[0], 0), len(phrase))

    def terms(self, tokens: Sequence[str]) -> list[str]:
        """Content words and phrases of one text; a phrase's words are not counted again alone."""
        out: list[str] = []
        i, n = 0, len(tokens)
        longest, phrases, stop_words = self._longest, self.phrases, STOP_WORDS
        while i < n:
            word = tokens[i]
            reach = longest.get(word)
            if reach:  # few words start a phrase: only they pay for the phrase lookups
                size = min(reach, n - i)
                while size > 1 and tuple(tokens[i: i + size]) not in phrases:
                    size -= 1
                if size > 1:
                    out.append(" ".join(tokens[i: i + size]))
                    i += size
                    continue
            # is_content_word, inlined: this loop runs once per token of every article labelled
            if word not in stop_words and (len(word) > 1 or _HANGUL_RE.match(word)):
                out.append(word)
            i += 1
        return out


@dataclass
class TermAnalyzer:
    """The callable that turns one article's text into its terms (the vectorizer's analyzer)."""

    tokenizer: Tokenizer
    phrases: PhraseTable

    @classmethod
    def learn(cls, texts: Sequence[str], aliases: AliasTable | None = None) -> tuple[TermAnalyzer, list[list[str]]]:
        """Learn boilerplate lines and phrases from (a sample of) the archive's texts.

        Returns the analyzer and the terms of each of ``texts`` (so they are not tokenized twice).
        """
        tokenizer = Tokenizer(find_boilerplate(texts), aliases or AliasTable.builtin())
        token_lists = [tokenizer.tokens(t) for t in texts]
        min_count = max(3, len(texts) // 2000)
        known = [tuple(name.split()) for name in set(tokenizer.aliases.canonical_of.values())]
        phrases = PhraseTable.learn(token_lists, min_count=min_count, known=known)
        return cls(tokenizer, phrases), [phrases.terms(tokens) for tokens in token_lists]

    def __call__(self, text: str) -> list[str]:
        return self.phrases.terms(self.tokenizer.tokens(text))
