"""Sentences that say why a converter turned a URL segment down.

Converters know their own rules (``int`` wants digits, ``max=50`` is checked
in ``to_python``, ``float`` needs a decimal point) but report only "no".
These functions turn that "no" into the reason a person can act on.
"""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import HTTPException
from werkzeug.routing import AnyConverter
from werkzeug.routing import BaseConverter
from werkzeug.routing import FloatConverter
from werkzeug.routing import IntegerConverter
from werkzeug.routing import PathConverter
from werkzeug.routing import UnicodeConverter
from werkzeug.routing import UUIDConverter
from werkzeug.routing.converters import NumberConverter

from .url_trie import compile_private

_DIGITS = compile_private(r"\d+")
_SIGNED_DIGITS = compile_private(r"-\d+")
_DECIMAL = compile_private(r"-?\d+\.\d+")
_UNICODE_LENGTH = compile_private(r"\[\^/\]\{(\d+)(?:(,)(\d*))?\}")


def quoted(text: str, limit: int = 60) -> str:
    """``repr``-style quoting, shortened so a 4,000-character segment stays readable."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text)


def regex_rejection(converter: BaseConverter, name: str, value: str) -> str:
    """Why ``converter`` (``<name:...>`` in the rule) did not match ``value`` at all."""
    shown = quoted(value)
    if value == "":
        return f"the segment is empty, and <{name}> needs a value"
    if isinstance(converter, IntegerConverter):
        if not converter.signed and _SIGNED_DIGITS.fullmatch(value):
            return f"{shown} is negative; the int converter takes negatives only with signed=True"
        if _DECIMAL.fullmatch(value):
            return f"{shown} is not an int (it has a decimal point)"
        return f"{shown} is not an int"
    if isinstance(converter, FloatConverter):
        if _DIGITS.fullmatch(value) or _SIGNED_DIGITS.fullmatch(value):
            return (
                f"{shown} is not a float: the float converter needs a decimal point "
                f"(like {value}.0)"
            )
        if not converter.signed and value.startswith("-") and _DECIMAL.fullmatch(value):
            return f"{shown} is negative; the float converter takes negatives only with signed=True"
        return f"{shown} is not a float"
    if isinstance(converter, UUIDConverter):
        return f"{shown} is not a UUID (8-4-4-4-12 hex digits)"
    if isinstance(converter, AnyConverter):
        items = ", ".join(repr(item) for item in sorted(converter.items))
        return f"{shown} is not one of {items}"
    if isinstance(converter, PathConverter):
        return f"{shown} is not a path: the path converter needs text that does not start with '/'"
    if isinstance(converter, UnicodeConverter):
        return _length_rejection(converter, value) or f"{shown} does not fit <{name}>"
    return f"{shown} does not match the {name} converter's pattern {converter.regex}"


def _length_rejection(converter: UnicodeConverter, value: str) -> str | None:
    bounds = _UNICODE_LENGTH.fullmatch(converter.regex)
    if bounds is None:
        return None
    low = int(bounds.group(1))
    if bounds.group(2) is None:
        return f"{quoted(value)} is {len(value)} characters; length={low} needs exactly {low}"
    high = int(bounds.group(3)) if bounds.group(3) else None
    if len(value) < low:
        return f"{quoted(value)} is {len(value)} characters; minlength={low} needs at least {low}"
    if high is not None and len(value) > high:
        return f"{quoted(value)} is {len(value)} characters; maxlength={high} allows at most {high}"
    return None


def python_rejection(
    converter: BaseConverter, name: str, value: str, error: BaseException | None
) -> str:
    """Why ``to_python`` refused a value the converter's regex had accepted."""
    shown = quoted(value)
    if isinstance(converter, NumberConverter):
        if converter.fixed_digits and len(value) != converter.fixed_digits:
            return (
                f"{shown} has {len(value)} digits; fixed_digits={converter.fixed_digits} "
                f"needs exactly {converter.fixed_digits}"
            )
        try:
            number = converter.num_convert(value)
        except (TypeError, ValueError):
            return f"{shown} is not a number the {name} converter can read"
        if converter.min is not None and number < converter.min:
            return f"{number} is below min={converter.min}"
        if converter.max is not None and number > converter.max:
            return f"{number} is above max={converter.max}"
    if isinstance(error, HTTPException):
        detail = f", {error.code}" if error.code else ""
    else:
        detail = _error_text(error)
    kind = type(error).__name__ if error is not None else "ValidationError"
    return f"the {name} converter rejected {shown} in to_python ({kind}{detail})"


def crash_description(name: str, value: str, error: BaseException) -> str:
    return (
        f"the {name} converter's to_python raised {type(error).__name__}{_error_text(error)} "
        f"for {quoted(value)}; the app answers 500"
    )


def abort_description(name: str, value: str, error: BaseException) -> str:
    """``to_python`` raised an HTTP error: Werkzeug passes it on untouched."""
    code = getattr(error, "code", None)
    status = f" ({code})" if code else ""
    return (
        f"the {name} converter's to_python raised {type(error).__name__}{status} "
        f"for {quoted(value)}"
    )


def _error_text(error: BaseException | None) -> str:
    if error is None or not str(error):
        return ""
    return f": {quoted(str(error), 80)}"


def converter_label(converter: BaseConverter, names: t.Mapping[type, str]) -> str:
    """The name a rule uses for the converter: ``int``, ``string``, ``date``..."""
    for klass in type(converter).__mro__:
        name = names.get(klass)
        if name is not None:
            return name
    return type(converter).__name__


def can_reject_in_python(converter: BaseConverter) -> bool:
    """True when ``to_python`` may say no to text its regex accepted."""
    if isinstance(converter, NumberConverter):
        return bool(
            converter.fixed_digits or converter.min is not None or converter.max is not None
        )
    if isinstance(converter, (UnicodeConverter, PathConverter, AnyConverter, UUIDConverter)):
        return type(converter).to_python not in (
            BaseConverter.to_python,
            UUIDConverter.to_python,
        )
    return type(converter).to_python is not BaseConverter.to_python
