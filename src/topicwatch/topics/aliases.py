"""Spelling variants of one name folded onto one canonical lower-case form.

The built-in table covers common romanizations of North Korean places, institutions and leaders;
users add their own with an alias file: one name per line, ``canonical = variant, variant, ...``
(``#`` starts a comment). Matching is on whole words, case-folded, longest variant first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

BUILTIN_ALIASES: dict[str, tuple[str, ...]] = {
    "ryanggang": ("yanggang", "ryanggang-do", "yanggang-do"),
    "north hamgyong": ("hamgyong-bukto", "hamgyŏng-pukto", "hamgyong-pukto", "north hamkyong", "n. hamgyong"),
    "south hamgyong": ("hamgyong-namdo", "hamgyŏng-namdo", "south hamkyong", "s. hamgyong"),
    "north pyongan": ("pyongan-bukto", "p'yŏngan-pukto", "pyongan-pukto"),
    "south pyongan": ("pyongan-namdo", "p'yŏngan-namdo"),
    "north hwanghae": ("hwanghae-bukto", "hwanghae-pukto"),
    "south hwanghae": ("hwanghae-namdo",),
    "chagang": ("jagang", "chagang-do"),
    "kangwon": ("gangwon",),
    "sinuiju": ("sinŭiju", "shinuiju", "sin-uiju"),
    "pyongyang": ("p'yŏngyang", "pyŏngyang"),
    "chongjin": ("chŏngjin",),
    "hamhung": ("hamhŭng",),
    "hoeryong": ("hoeryŏng",),
    "kaesong": ("kaesŏng",),
    "kim jong un": ("kim jong-un", "kim jongun", "kim jung un", "kim jung-un"),
    "kim jong il": ("kim jong-il", "kim jongil"),
    "kim il sung": ("kim il-sung", "kim il-song", "kim il song"),
    "kim yo jong": ("kim yo-jong",),
    "ministry of state security": ("bowibu", "mss", "state security department", "ministry of state protection"),
    "ministry of social security": ("ministry of people's security", "ministry of peoples security"),
    "workers party of korea": ("workers' party of korea", "wpk", "korean workers party", "korean workers' party"),
    "kpa": ("korean people's army", "korean peoples army", "korean people army"),
    "rodong sinmun": ("rodong shinmun", "nodong sinmun"),
    "kcna": ("korean central news agency",),
}


@dataclass
class AliasTable:
    """Variant -> canonical, applied to lower-cased text before tokenizing."""

    canonical_of: dict[str, str]

    def __post_init__(self) -> None:
        variants = sorted(self.canonical_of, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<![\w'])(" + "|".join(re.escape(v) for v in variants) + r")(?![\w'])")
            if variants
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
