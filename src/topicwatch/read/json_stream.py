"""The items of a JSON array read from a byte stream one at a time, so that a large ``.json`` file is
never held whole and one item longer than the record limit is read past without being held.

The standard library has no incremental JSON parser (and ijson is not a dependency), so this module
only finds where each item ends -- strings, escapes and bracket depth, found with a few regular
expressions that run in C -- and leaves parsing each item to ``json.loads``. Knowing where an item
ends also means that a malformed item rejects only itself: reading goes on with the next one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

CHUNK_BYTES = 64 * 1024
_BOM = b"\xef\xbb\xbf"
# A string's body up to its closing quote (or a final backslash): the unrolled form runs fastest.
_STRING_BODY = re.compile(rb'[^"\\]*+(?:\\.[^"\\]*+)*+', re.DOTALL)
_STRUCTURE = re.compile(rb'["\[\]{}]')
_SCALAR_END = re.compile(rb'[ \t\r\n,\[\]{}"]')
_NOT_SPACE = re.compile(rb"[^ \t\r\n]")
_QUOTE, _BACKSLASH, _OPENERS = ord('"'), ord("\\"), b"[{"


@dataclass(frozen=True)
class Item:
    """One array item: its bytes, or None when it is longer than the limit (only its size is kept)."""

    line: int
    data: bytes | None
    size: int


@dataclass(frozen=True)
class Problem:
    """Something wrong between the items; ``final`` when nothing after it can be read."""

    line: int
    reason: str
    final: bool = False


@dataclass
class _State:
    """Where the scan of one item is: bracket depth, inside a string, just after a backslash."""

    depth: int = 0
    in_string: bool = False
    escaped: bool = False
    scalar: bool = False  # a bare number, true, false, null (or garbage): it ends at a separator


def _scan(buf: bytes, i: int, state: _State) -> int | None:
    """The index just past the item's end, or None when it goes on past the end of ``buf``."""
    n = len(buf)
    while i < n:
        if state.escaped:
            i, state.escaped = i + 1, False
        elif state.in_string:
            i = _STRING_BODY.match(buf, i).end()  # type: ignore[union-attr]  # it matches the empty string
            if i == n:
                return None
            if buf[i] == _BACKSLASH:  # the last byte of the buffer: its escaped byte comes next
                i, state.escaped = i + 1, True
                continue
            i, state.in_string = i + 1, False
            if state.depth == 0:
                return i
        elif state.scalar:
            found = _SCALAR_END.search(buf, i)
            return found.start() if found else None
        else:
            found = _STRUCTURE.search(buf, i)
            if found is None:
                return None
            i = found.end()
            char = buf[found.start()]
            if char == _QUOTE:
                state.in_string = True
            elif char in _OPENERS:
                state.depth += 1
            else:
                state.depth -= 1
                if state.depth == 0:
                    return i
    return None


class _Stream:
    """A byte stream read in chunks, with the line number of the read position."""

    def __init__(self, handle: IO[bytes], chunk_bytes: int) -> None:
        self._handle = handle
        self._chunk_bytes = chunk_bytes
        self.buf = b""
        self.pos = 0
        self.line = 1

    def fill(self) -> bool:
        """Read the next chunk into the buffer (dropping what was consumed); False at the end."""
        chunk = self._handle.read(self._chunk_bytes)
        if not chunk:
            return False
        self.buf, self.pos = self.buf[self.pos :] + chunk, 0
        return True

    def consume(self, end: int) -> bytes:
        piece = self.buf[self.pos : end]
        self.line += piece.count(b"\n")
        self.pos = end
        return piece

    def next_byte(self) -> int | None:
        """The next byte that is not white space (not consumed), or None at the end of the stream."""
        while True:
            found = _NOT_SPACE.search(self.buf, self.pos)
            if found is not None:
                self.consume(found.start())
                return self.buf[self.pos]
            self.consume(len(self.buf))
            if not self.fill():
                return None

    def item(self, limit: int) -> Item | None:
        """The item that starts at the read position (held only up to ``limit`` bytes); None when the
        stream ends inside it."""
        line, first = self.line, self.buf[self.pos]
        state = _State(depth=int(first in _OPENERS), in_string=first == _QUOTE)
        state.scalar = not (state.depth or state.in_string)
        pieces: list[bytes] = []
        size, start = 0, self.pos + 1
        while True:
            end = _scan(self.buf, start, state)
            piece = self.consume(len(self.buf) if end is None else end)
            size += len(piece)
            if size <= limit:
                pieces.append(piece)
            else:
                pieces.clear()
            if end is not None:
                return Item(line, b"".join(pieces) if size <= limit else None, size)
            if not self.fill():
                return Item(line, b"".join(pieces) if size <= limit else None, size) if state.scalar else None
            start = self.pos


def array_items(handle: IO[bytes], limit: int, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Item | Problem]:
    """Each item of the JSON array in ``handle`` (which starts with it, after white space or a BOM),
    and a Problem for each fault between items. A missing comma or a stray one is reported and read
    past; the stream ending inside the array, or anything after it, is a final Problem."""
    stream = _Stream(handle, chunk_bytes)
    while len(stream.buf) < len(_BOM) and stream.fill():
        pass
    if stream.buf.startswith(_BOM):
        stream.consume(len(_BOM))
    stream.next_byte()
    stream.consume(stream.pos + 1)  # the opening bracket
    wants_item, seen_item = True, False
    while True:
        char = stream.next_byte()
        if char is None:
            yield Problem(stream.line, "malformed JSON: the file ends before the array is closed", True)
            return
        if char == ord("]"):
            if wants_item and seen_item:
                yield Problem(stream.line, "malformed JSON: a comma before ']'")
            stream.consume(stream.pos + 1)
            if stream.next_byte() is not None:
                yield Problem(stream.line, "malformed JSON: extra data after the array", True)
            return
        if char == ord(","):
            if wants_item:
                yield Problem(stream.line, "malformed JSON: expected a value before ','")
            stream.consume(stream.pos + 1)
            wants_item = True
            continue
        if not wants_item:
            yield Problem(stream.line, "malformed JSON: expected ',' or ']' between items")
        start_line = stream.line
        item = stream.item(limit)
        if item is None:
            yield Problem(start_line, "malformed JSON: the file ends inside this item", True)
            return
        yield item
        wants_item, seen_item = False, True
