"""URL text a converter accepts (or, for the lint, text only its regex accepts).

Example URLs and lint witnesses need concrete values: ``1`` for ``<int>``,
``en`` for ``<any(en, fr)>``, ``1111-11-11`` for a custom date converter.
Built-in converters are read directly (their options say what they accept);
any other converter gets strings drawn from its regex, kept only when its
own ``to_python`` agrees.
"""

from __future__ import annotations

import importlib
import threading
import typing as t
import weakref

from werkzeug.routing import AnyConverter
from werkzeug.routing import BaseConverter
from werkzeug.routing import FloatConverter
from werkzeug.routing import PathConverter
from werkzeug.routing import UnicodeConverter
from werkzeug.routing import UUIDConverter
from werkzeug.routing.converters import NumberConverter

from .url_trie import pattern_for

try:  # Python 3.11+ keeps the regex parser here; 3.10 has ``sre_parse``.
    _parser: t.Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - Python 3.10
    _parser = importlib.import_module("sre_parse")

# Characters tried, in order, for one "flavour" of generated text. ``1`` makes
# a valid date of ``\d{4}-\d{2}-\d{2}``; ``0`` and ``9`` make invalid ones.
_FLAVOURS = ("1ae-_.x0", "0az-_.x1", "9zq-_.x0", "2bm-_.y3")
_GENERIC = ("example", "1", "abc", "2024-01-31", "1.5", "a-b", "x1")
SAMPLE_UUID = "12345678-1234-5678-1234-567812345678"


# What each converter said about invented values, asked once per converter
# (each rule of a map has its own): an app's ``to_python`` may do real work
# (a database lookup), so it is not asked again on every page the panel draws.
_SAMPLES: weakref.WeakKeyDictionary[BaseConverter, dict[t.Any, t.Any]] = weakref.WeakKeyDictionary()
_SAMPLES_LOCK = threading.Lock()


def _remembered(converter: BaseConverter, key: t.Any, work: t.Callable[[], t.Any]) -> t.Any:
    """``work()``, once per ``(converter, key)``."""
    try:
        with _SAMPLES_LOCK:
            cached = _SAMPLES.setdefault(converter, {})
    except TypeError:  # not weakly referable or not hashable: ask every time
        return work()
    if key in cached:
        return cached[key]
    value = cached[key] = work()
    return value


def accepted_values(converter: BaseConverter, limit: int = 3) -> list[tuple[str, t.Any]]:
    """Up to ``limit`` ``(url_text, python_value)`` pairs the converter fully accepts.

    Worked out once per converter and ``limit``.
    """
    found = _remembered(converter, ("accepted", limit), lambda: _accepted(converter, limit))
    return list(found)


def _accepted(converter: BaseConverter, limit: int) -> list[tuple[str, t.Any]]:
    found: list[tuple[str, t.Any]] = []
    for text in _candidates(converter):
        value = accepts(converter, text)
        if value is not _REJECTED and all(text != seen for seen, _ in found):
            found.append((text, value))
            if len(found) >= limit:
                break
    return found


_REJECTED = object()


def accepts(converter: BaseConverter, text: str) -> t.Any:
    """``to_python(text)`` if both the regex and ``to_python`` take it, else a marker."""
    if pattern_for(f"(?:{converter.regex})\\Z").match(text) is None:
        return _REJECTED
    try:
        return converter.to_python(text)
    except Exception:
        return _REJECTED


def is_accepted(value: t.Any) -> bool:
    return value is not _REJECTED


def rejected_by_python(converter: BaseConverter) -> str | None:
    """A text the converter's regex accepts but its ``to_python`` refuses (asked once)."""
    found: str | None = _remembered(converter, "rejected", lambda: _rejected(converter))
    return found


def _rejected(converter: BaseConverter) -> str | None:
    for text in _rejection_candidates(converter):
        if pattern_for(f"(?:{converter.regex})\\Z").match(text) is None:
            continue
        try:
            converter.to_python(text)
        except Exception:
            return text
    return None


def _candidates(converter: BaseConverter) -> t.Iterator[str]:
    if isinstance(converter, NumberConverter):
        yield from _number_texts(converter)
    elif isinstance(converter, AnyConverter):
        yield from sorted(converter.items)
    elif isinstance(converter, UUIDConverter):
        yield SAMPLE_UUID
    elif isinstance(converter, PathConverter):
        yield from ("some/path", "file.txt")
    elif isinstance(converter, UnicodeConverter):
        yield from _string_texts(converter.regex)
    yield from _GENERIC
    yield from regex_examples(converter.regex)


def _number_texts(converter: NumberConverter) -> t.Iterator[str]:
    is_float = isinstance(converter, FloatConverter)
    numbers: list[float] = [1, 2, 42, 7, 0]
    low, high = converter.min, converter.max
    if low is not None:
        numbers = [low, low + 1, *numbers]
    if high is not None:
        numbers = [*numbers, high, high - 1]
    for number in numbers:
        if (low is not None and number < low) or (high is not None and number > high):
            continue
        if number < 0 and not converter.signed:
            continue
        try:
            yield converter.to_url(number + 0.5 if is_float and number == 1 else number)
        except (TypeError, ValueError):
            continue


def _string_texts(regex: str) -> t.Iterator[str]:
    """``example``, trimmed or repeated to the lengths the options allow."""
    base = "example"
    pattern = pattern_for(f"(?:{regex})\\Z")
    for length in [*range(len(base), 0, -1), *range(len(base) + 1, 64)]:
        text = (base * (1 + length // len(base)))[:length]
        if pattern.match(text) is not None:
            yield text
            return


def _rejection_candidates(converter: BaseConverter) -> t.Iterator[str]:
    if isinstance(converter, NumberConverter):
        is_float = isinstance(converter, FloatConverter)
        if converter.fixed_digits:
            yield "1" * (converter.fixed_digits + 1)
            if converter.fixed_digits > 1:
                yield "1"
        if converter.max is not None:
            number = converter.max + 1
            yield f"{float(number)}" if is_float else str(int(number))
        if converter.min is not None:
            number = converter.min - 1
            yield f"{float(number)}" if is_float else str(int(number))
    yield from regex_examples(converter.regex)
    yield from ("0", "00", "-1", "0000-00-00", "9999-99-99", "x", "example")


def regex_examples(regex: str) -> list[str]:
    """A few short strings matching ``regex``, one per flavour (duplicates dropped)."""
    try:
        tree = _parser.parse(regex)
    except Exception:
        return []
    examples: list[str] = []
    for flavour in _FLAVOURS:
        try:
            text = _generate(tree, flavour)
        except _Unsupported:
            continue
        if text not in examples and pattern_for(f"(?:{regex})\\Z").match(text) is not None:
            examples.append(text)
    return examples


class _Unsupported(Exception):
    pass


def _generate(tree: t.Any, flavour: str) -> str:
    out: list[str] = []
    for op, argument in tree:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(argument))
        elif name == "NOT_LITERAL":
            out.append(next(c for c in flavour + "ab" if ord(c) != argument))
        elif name == "ANY":
            out.append(flavour[1])
        elif name == "IN":
            out.append(_pick(argument, flavour))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = argument
            count = low if low > 0 else min(1, high)
            out.append(_generate(sub, flavour) * count)
        elif name == "SUBPATTERN":
            out.append(_generate(argument[-1], flavour))
        elif name == "ATOMIC_GROUP":
            out.append(_generate(argument, flavour))
        elif name == "BRANCH":
            out.append(_generate(argument[1][0], flavour))
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        else:
            raise _Unsupported(name)
    return "".join(out)


def _pick(items: t.Any, flavour: str) -> str:
    negate = any(str(op) == "NEGATE" for op, _ in items)
    for character in flavour + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789":
        if _in_set(items, character) != negate:
            return character
    for op, argument in items:
        if str(op) == "LITERAL" and not negate:
            return chr(argument)
        if str(op) == "RANGE" and not negate:
            return chr(argument[0])
    raise _Unsupported("IN")


def _in_set(items: t.Any, character: str) -> bool:
    code = ord(character)
    for op, argument in items:
        name = str(op)
        if name == "LITERAL" and argument == code:
            return True
        if name == "RANGE" and argument[0] <= code <= argument[1]:
            return True
        if name == "CATEGORY" and _in_category(str(argument), character):
            return True
    return False


def _in_category(category: str, character: str) -> bool:
    checks = {
        "CATEGORY_DIGIT": character.isdigit(),
        "CATEGORY_NOT_DIGIT": not character.isdigit(),
        "CATEGORY_WORD": character.isalnum() or character == "_",
        "CATEGORY_NOT_WORD": not (character.isalnum() or character == "_"),
        "CATEGORY_SPACE": character.isspace(),
        "CATEGORY_NOT_SPACE": not character.isspace(),
    }
    return checks.get(category, False)
