"""Spelling variants of one name folded onto one canonical lower-case form.

The built-in table is built from the gazetteer (``gazetteer.py``): common romanizations of North
Korean provinces, cities, counties, institutions and leaders. Users add their own with an alias file: one name per line, ``canonical = variant, variant, ...``
(``#`` starts a comment). Matching is on whole words, case-folded, longest variant first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .gazetteer import alias_mapping

BUILTIN_ALIASES: dict[str, tuple[str, ...]] = alias_mapping()


@dataclass
class AliasTable:
    """Variant -> canonical, applied to lower-cased text before tokenizing."""

    canonical_of: dict[str, str]

    def __post_init__(self) -> None:
        self._pattern = (
            re.compile(r"(?<![\w'])(" + trie_pattern(self.canonical_of) + r")(?![\w'])")
            if self.canonical_of
            else None
        )

    @classmethod
    def builtin(cls) -> AliasTable:
        return cls.from_mapping(BUILTIN_ALIASES)

    @classmethod
    def from_mapping(cls, mapping: dict[str, tuple[str, ...] | list[str]]) -> AliasTable:
        table: dict[str, str] = {}
        for canonical, variants in mapping.items():
            for variant in variants:
                table[variant.lower()] = canonical.lower()
        return cls(table)

    @classmethod
    def from_file(cls, path: str | Path, base: AliasTable | None = None) -> AliasTable:
        """Read ``canonical = variant, variant`` lines; raises ValueError naming file:line on a bad line."""
        table = dict((base or cls.builtin()).canonical_of)
        with open(path, encoding="utf-8") as handle:
            for number, raw in enumerate(handle, 1):
                line = raw.split("#", 1)[0].strip()
                if not line:
                    continue
                if "=" not in line:
                    raise ValueError(f"{path}:{number}: expected 'canonical = variant, variant'")
                canonical, variants = (part.strip().lower() for part in line.split("=", 1))
                if not canonical or not variants:
                    raise ValueError(f"{path}:{number}: empty canonical name or variant list")
                for variant in variants.split(","):
                    if variant.strip():
                        table[variant.strip()] = canonical
        return cls(table)

    def canonicalize(self, lowered_text: str) -> str:
        if self._pattern is None:
            return lowered_text
        return self._pattern.sub(lambda m: self.canonical_of[m.group(1)], lowered_text)


def trie_pattern(words: list[str] | dict[str, str]) -> str:
    """A regex matching any of ``words``, longest first, with shared prefixes factored out.

    One alternation of a thousand names is tried name by name at every position; the factored form
    decides on the first letter, which makes matching about ten times faster.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict) -> str:
        branches = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return render(trie)

