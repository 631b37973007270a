"""A lexical look at SPARQL text, enough to refuse SERVICE before evaluation.

pyoxigraph follows ``SERVICE <iri>`` to any URL and has no switch to turn that off, so the
endpoint refuses every query in which SERVICE appears as a keyword. The scan skips what can
hold the word without being the keyword: strings, IRIs ``<…>``, comments, variables
(``?service``), blank-node labels, language tags and prefixed names (``ex:service``,
``service:x``). It errs on the side of refusing: a false alarm costs a rephrased query, a miss
costs a request to an arbitrary host.
"""

from __future__ import annotations

import functools
import re

# IRIREF of the SPARQL grammar: no spaces, no <>"{}|^`\ inside.
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_VARIABLE = re.compile(r"[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]*")
_BLANK_NODE = re.compile(r"_:[A-Za-z0-9_\-.\u00B7\u00C0-\uFFFF]*")
_LANGUAGE_TAG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
# A run of name characters: a bare word, or the prefix of a prefixed name when ':' follows.
_WORD = re.compile(r"[A-Za-z_\u00B7\u00C0-\uFFFF][A-Za-z0-9_\-.\u00B7\u00C0-\uFFFF]*")
# Local part of a prefixed name (after the ':'), including %xx and \-escapes and inner ':'.
_LOCAL_PART = re.compile(r"(?:[A-Za-z0-9_\-.:\u00B7\u00C0-\uFFFF]|%[0-9A-Fa-f]{2}|\\.)*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")
_KEYWORD_PART = re.compile(r"[A-Za-z]+")
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

FORBIDDEN_KEYWORDS = frozenset({"SERVICE"})


def _unescape_codepoints(text: str) -> str:
    """Apply SPARQL's \\u/\\U escapes, which the grammar processes before parsing."""

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        try:
            return chr(code)
        except (ValueError, OverflowError):
            return match.group(0)

    return _CODEPOINT_ESCAPE.sub(replace, text)


def _skip_string(text: str, start: int) -> int:
    """Index just after the string literal opening at ``start``."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        end = start + 3
        while end < len(text):
            if text[end] == "\\":
                end += 2
            elif text.startswith(quote * 3, end):
                return end + 3
            else:
                end += 1
        return len(text)
    end = start + 1
    while end < len(text):
        char = text[end]
        if char == "\\":
            end += 2
        elif char == quote or char in "\r\n":
            return end + 1
        else:
            end += 1
    return len(text)


def _scan_keywords(text: str) -> set[str]:
    found: set[str] = set()
    position = 0
    length = len(text)
    while position < length:
        char = text[position]
        if char.isspace():
            position += 1
        elif char == "#":
            newline = re.compile(r"[\r\n]").search(text, position)
            position = newline.end() if newline else length
        elif char in "\"'":
            position = _skip_string(text, position)
        elif char == "<":
            match = _IRIREF.match(text, position)
            position = match.end() if match else position + 1
        elif char in "?$":
            position = _VARIABLE.match(text, position).end()
        elif text.startswith("_:", position):
            position = _BLANK_NODE.match(text, position).end()
        elif char == "@":
            match = _LANGUAGE_TAG.match(text, position)
            position = match.end() if match else position + 1
        elif char == ":":  # prefixed name with the empty prefix
            position = _LOCAL_PART.match(text, position + 1).end()
        elif "0" <= char <= "9":  # ASCII only: str.isdigit() is also true for ² and ٣
            position = _NUMBER.match(text, position).end()
        else:
            match = _WORD.match(text, position)
            if not match:
                position += 1
                continue
            word = match.group(0)
            position = match.end()
            if position < length and text[position] == ":" and not word.endswith("."):
                position = _LOCAL_PART.match(text, position + 1).end()
                continue
            # Not a prefixed name: every ASCII-letter piece could be a keyword to the engine.
            found.update(part.upper() for part in _KEYWORD_PART.findall(word))
    return found


def query_keywords(query: str) -> frozenset[str]:
    """Upper-cased bare words of the query, read both as written and with \\u escapes applied."""
    if len(query) <= _CACHED_TEXT_CHARS:
        return _cached_keywords(query)
    return _scan(query)


_CACHED_TEXT_CHARS = 16_384  # the service's own texts (pages, canned queries) repeat: scan each once


@functools.lru_cache(maxsize=256)
def _cached_keywords(query: str) -> frozenset[str]:
    return _scan(query)


def _scan(query: str) -> frozenset[str]:
    return frozenset(_scan_keywords(query) | _scan_keywords(_unescape_codepoints(query)))


def forbidden_keywords(query: str) -> frozenset[str]:
    """The keywords in ``query`` the endpoint refuses to evaluate (empty when it is safe)."""
    return query_keywords(query) & FORBIDDEN_KEYWORDS


def declares_dataset(query: str) -> bool:
    """True when the query names its own dataset with FROM / FROM NAMED."""
    return "FROM" in query_keywords(query)


_OPENERS, _CLOSERS = "([{", ")]}"


def _depth(text: str) -> int:
    deepest = depth = 0
    position, length = 0, len(text)
    while position < length:
        char = text[position]
        if char == "#":
            newline = text.find("\n", position)
            position = length if newline < 0 else newline + 1
        elif char in "\"'":
            position = _skip_string(text, position)
        elif char == "<":
            match = _IRIREF.match(text, position)
            position = match.end() if match else position + 1
        else:
            if char in _OPENERS:
                depth += 1
                deepest = max(deepest, depth)
            elif char in _CLOSERS:
                depth = max(0, depth - 1)
            position += 1
    return deepest


def nesting_depth(query: str) -> int:
    """How deep ( [ { nest outside strings, IRIs and comments, read as written and with \\u escapes applied.

    The query parser recurses once per level (and slows down sharply on nested [ and ( ), so the
    endpoint refuses queries nested deeper than a limit before parsing them.
    """
    return max(_depth(query), _depth(_unescape_codepoints(query)))
