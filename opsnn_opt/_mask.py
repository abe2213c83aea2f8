"""Hiding passwords in every message and log line.

Database URLs reach messages in two forms that carry a password: ``scheme://user:PASSWORD@host``
and ``...?password=PASSWORD`` (libpq's query form, also ``&password=``). :func:`mask_secrets`
replaces both with ``***`` in any text, including URLs that could not be parsed.
"""

from __future__ import annotations

import logging
import re

__all__ = ["MASK", "MaskingFilter", "install_log_masking", "mask_secrets"]

MASK = "***"
# user:password@ after a scheme's "//" (the password may hold any character but "@" and "/").
_USERINFO = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s'\"]*:)(?P<pw>[^@/\s'\"]*)(?P<at>@)")
# password=... in a query string or a libpq keyword string.
_QUERY = re.compile(r"(?P<head>\b(?:password|passwd|pwd)\s*=\s*)(?P<pw>[^&\s'\"]+)", re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """``text`` with every password in a URL or ``password=`` pair replaced by ``***``."""
    text = _USERINFO.sub(lambda m: m["head"] + (MASK if m["pw"] else "") + m["at"], text)
    return _QUERY.sub(lambda m: m["head"] + MASK, text)


class MaskingFilter(logging.Filter):
    """A logging filter that masks passwords in the formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            # The traceback is formatted later from the exception; keep only its masked text.
            record.exc_text = mask_secrets(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def install_log_masking() -> None:
    """Mask passwords in every log record of this process, whichever library logs it and
    whichever handler prints it (a record factory masks the message as the record is made)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_opsnn_masking", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: let the handler report it as usual
            return record
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return record

    factory._opsnn_masking = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
