"""Invictus weightlifting posts -> session records (SPEC section 3, "Parsing" and "Silver").

The pipeline is a chain of small pure steps, each usable on its own:

1. :func:`html_to_lines`: the post HTML as plain-text lines (``<br>`` and block elements end a
   line; link text kept; entities decoded; whitespace, NBSP included, collapsed to one space).
2. :func:`split_days`: lines -> :class:`DayBlock` per day header. A day starts only at a line
   that begins with a weekday name followed by ``(`` or the end of the line (``Monday (Session
   One)``, ``Thursday (Rest Day)``, ``Sunday``), matched case-insensitively. ``Sunday: rest``,
   ``Monday's lift`` or a weekday in the middle of a line never start a day. Lines before the
   first header (an intro) belong to no day.
3. :func:`split_segments`: a day's lines -> ``warm_up`` and ``segment_a`` ... ``segment_f``.
   A segment starts at a line beginning with ``Suggested Warm-Up`` (optional trailing colon;
   text after it on the same line belongs to the warm-up) or with ``A.`` ... ``F.`` (upper case,
   followed by a space or the end of the line). Text before the first segment of a day belongs
   to no segment and is dropped, as the SPEC says. A marker repeated within a day appends to
   the same segment. A segment's lines are joined with single spaces.
4. :func:`week_range`: the week's Monday and Sunday, from the slug, else the title, else the
   post's local date if it is a Monday, otherwise the next Monday.
5. :func:`parse_post` / :func:`parse_posts`: one record per (date, session).

Session names: the header's parenthesis, with ``session one`` / ``rest day`` normalised to
``Session One`` / ``Rest Day`` and any other label kept as written. A header without a
parenthesis (or with an empty one) gives ``Rest Day`` when the day has no segment text at all
(no warm-up, no A-F), else ``Session``: a bare ``Sunday`` line followed by nothing is a day off,
while a bare header followed by work is a session that simply has no name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, ProcessingInstruction

from fitness_platform.wod.posts import (
    PostFieldError,
    post_id,
    post_local_date,
    post_slug,
    post_title_text,
    post_version,
    rendered_field,
)

WEEKDAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
REST_DAY = "Rest Day"
UNNAMED_SESSION = "Session"
SEGMENT_LETTERS: tuple[str, ...] = ("a", "b", "c", "d", "e", "f")
SEGMENT_FIELDS: tuple[str, ...] = tuple(f"segment_{letter}" for letter in SEGMENT_LETTERS)
TEXT_FIELDS: tuple[str, ...] = ("warm_up", *SEGMENT_FIELDS)
# The silver record, field by field, in the order of SPEC 3.
SESSION_FIELDS: tuple[str, ...] = (
    "date",
    "weekday",
    "session",
    *TEXT_FIELDS,
    "post_id",
    "slug",
    "week_start",
    "week_end",
)

_WHITESPACE = re.compile(r"\s+")
# Invisible characters that WordPress editors leave behind; they are not whitespace to `\s`.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_BLOCK_TAGS = (
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
)
_DAY_HEADER = re.compile(
    r"^(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s*"
    r"(?:$|\((?P<label>[^)]*)\)?\s*(?P<rest>.*)$)",
    re.IGNORECASE,
)
_WARM_UP = re.compile(
    r"^suggested\s+warm\s*[-\u2010\u2011\u2013]?\s*ups?\b\s*:?\s*(?P<rest>.*)$", re.IGNORECASE
)
_SEGMENT = re.compile(r"^(?P<letter>[A-F])\.(?:\s+(?P<rest>.*))?$")
_SESSION_LABEL = re.compile(r"^session\s+(?P<n>\S+)$", re.IGNORECASE)
_REST_LABEL = re.compile(r"^rest(?:\s+day)?$", re.IGNORECASE)

_MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
_SLUG_RANGE = re.compile(
    rf"(?:^|-)(?P<m1>{_MONTH})-(?P<d1>\d{{1,2}}){_ORD}(?:-(?P<y1>\d{{4}}))?-(?:to-)?"
    rf"(?:(?P<m2>{_MONTH})-)?(?P<d2>\d{{1,2}}){_ORD}-(?P<y2>\d{{4}})(?=-|$)"
)
_SLUG_SINGLE = re.compile(rf"(?:^|-)(?P<m>{_MONTH})-(?P<d>\d{{1,2}}){_ORD}-(?P<y>\d{{4}})(?=-|$)")
_DASH = r"(?:[-\u2010\u2011\u2012\u2013\u2014]|\bto\b)"
_TITLE_RANGE = re.compile(
    rf"\b(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}}){_ORD}(?:,?\s+(?P<y1>\d{{4}}))?\s*{_DASH}\s*"
    rf"(?:(?P<m2>{_MONTH})\.?\s+)?(?P<d2>\d{{1,2}}){_ORD},?\s+(?P<y2>\d{{4}})\b",
    re.IGNORECASE,
)
_TITLE_SINGLE = re.compile(
    rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>\d{{4}})\b", re.IGNORECASE
)


class WodParseError(ValueError):
    """A post cannot be turned into session records; the message names the post and field."""


@dataclass(frozen=True)
class DayBlock:
    """The lines of one day, from its header to the next header.

    Attributes:
        weekday: The weekday name, title-cased (``Monday``).
        label: The text in the header's parenthesis, whitespace collapsed; ``None`` when the
            header has no parenthesis or an empty one.
        lines: The day's body lines (a header's text after the closing parenthesis included).
    """

    weekday: str
    label: str | None
    lines: tuple[str, ...]


@dataclass
class ParseResult:
    """Records of many posts, plus every post or session that produced no record and why.

    Attributes:
        records: Session records, unique by (``date``, ``session``), sorted by date then
            session.
        rejects: One dict per thing left out: ``post_id``, ``slug``, ``date``, ``session``
            (empty when the reject is a whole post) and ``reason``.
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace (NBSP and other Unicode spaces included) -> one space, trimmed."""
    return _WHITESPACE.sub(" ", _INVISIBLE.sub("", text)).strip()


def html_to_lines(html_text: str) -> list[str]:
    """Turn post HTML into its visible text lines.

    ``<br>`` and block elements (``<p>``, ``<div>``, ``<li>``, headings, table cells...) end a
    line; whitespace inside the source HTML (its own newlines included) is just a space, as a
    browser shows it. Markup is dropped, link text kept, entities decoded (``&#8211;`` -> "–",
    ``&#8230;`` -> "…", ``&nbsp;`` -> a space), comments and scripts removed, and each line's
    whitespace collapsed. Empty lines are left out.

    Args:
        html_text: The ``content.rendered`` HTML of a post.

    Returns:
        The non-empty lines, in document order.
    """
    soup = BeautifulSoup(html_text, "html.parser")
    for element in soup.find_all(["script", "style", "template", "noscript"]):
        element.decompose()
    hidden = (Comment, Declaration, Doctype, ProcessingInstruction)
    for node in soup.find_all(string=lambda s: isinstance(s, hidden)):
        node.extract()
    # Source newlines are ordinary whitespace in HTML; flatten them before adding real breaks.
    for node in soup.find_all(string=True):
        flattened = _WHITESPACE.sub(" ", str(node))
        if flattened != str(node):
            node.replace_with(flattened)
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_BLOCK_TAGS):
        block.insert_before("\n")
        block.insert_after("\n")
    lines = (collapse_whitespace(line) for line in soup.get_text().split("\n"))
    return [line for line in lines if line]


def match_day_header(line: str) -> tuple[str, str | None, str] | None:
    """``(weekday, label, rest)`` if ``line`` starts a day, else ``None``.

    Args:
        line: One text line.

    Returns:
        The title-cased weekday, the parenthesis text (``None`` if absent or empty) and any
        text after the closing parenthesis; ``None`` when the line is not a day header.
    """
    match = _DAY_HEADER.match(line)
    if match is None:
        return None
    label = collapse_whitespace(match.group("label") or "") or None
    rest = collapse_whitespace(match.group("rest") or "")
    return match.group("weekday").capitalize(), label, rest


def split_days(lines: Iterable[str]) -> list[DayBlock]:
    """Group lines into days, each starting at a day header (see :func:`match_day_header`).

    Args:
        lines: Text lines, e.g. from :func:`html_to_lines`.

    Returns:
        One :class:`DayBlock` per header, in document order. Lines before the first header
        belong to no day and are not returned.
    """
    days: list[DayBlock] = []
    current: tuple[str, str | None] | None = None
    body: list[str] = []
    for line in lines:
        header = match_day_header(line)
        if header is None:
            if current is not None:
                body.append(line)
            continue
        if current is not None:
            days.append(DayBlock(current[0], current[1], tuple(body)))
        weekday, label, rest = header
        current, body = (weekday, label), ([rest] if rest else [])
    if current is not None:
        days.append(DayBlock(current[0], current[1], tuple(body)))
    return days


def split_segments(lines: Iterable[str]) -> dict[str, str]:
    """Split one day's lines into its warm-up and segments A-F.

    Args:
        lines: The body lines of one day.

    Returns:
        A dict with every key of :data:`TEXT_FIELDS` (``warm_up``, ``segment_a`` ...
        ``segment_f``); a segment that does not occur is an empty string. Lines before the
        first segment marker belong to no segment.
    """
    parts: dict[str, list[str]] = {name: [] for name in TEXT_FIELDS}
    current: str | None = None
    for raw_line in lines:
        line = collapse_whitespace(raw_line)
        warm_up = _WARM_UP.match(line)
        segment = None if warm_up else _SEGMENT.match(line)
        if warm_up:
            current, line = "warm_up", warm_up.group("rest")
        elif segment:
            current = f"segment_{segment.group('letter').lower()}"
            line = segment.group("rest") or ""
        if current is not None and line:
            parts[current].append(line)
    return {name: " ".join(texts) for name, texts in parts.items()}


def session_name(label: str | None, *, has_content: bool) -> str:
    """The session name of a day header (see the module docstring for the rules).

    Args:
        label: The header's parenthesis text, or ``None``.
        has_content: Whether the day has any warm-up or segment text.

    Returns:
        ``Session One`` ..., ``Rest Day``, the label as written, or ``Session`` / ``Rest Day``
        for a header without a label.
    """
    if label is None:
        return UNNAMED_SESSION if has_content else REST_DAY
    if _REST_LABEL.match(label):
        return REST_DAY
    numbered = _SESSION_LABEL.match(label)
    if numbered:
        return f"Session {numbered.group('n').capitalize()}"
    return label


def _monday_week(start: date, end: date | None) -> tuple[date, date] | None:
    # A written range is trusted only when it starts on a Monday and ends inside that week;
    # anything else (a typo, a Sunday-first week) falls through to the next source.
    if start.weekday() != 0:
        return None
    week_end = start + timedelta(days=6)
    if end is not None and not start <= end <= week_end:
        return None
    return start, week_end


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _range_from_match(match: re.Match[str]) -> tuple[date, date] | None:
    m1 = _MONTHS[match.group("m1").lower()]
    m2 = _MONTHS[match.group("m2").lower()] if match.group("m2") else m1
    d1, d2, y2 = int(match.group("d1")), int(match.group("d2")), int(match.group("y2"))
    if match.group("y1"):
        y1 = int(match.group("y1"))
    else:
        # "December 28 - January 3, 2021": the year written once belongs to the end.
        y1 = y2 if (m1, d1) <= (m2, d2) else y2 - 1
    start, end = _safe_date(y1, m1, d1), _safe_date(y2, m2, d2)
    if start is None or end is None:
        return None
    return _monday_week(start, end)


def _single_from_match(match: re.Match[str]) -> tuple[date, date] | None:
    start = _safe_date(
        int(match.group("y")), _MONTHS[match.group("m").lower()], int(match.group("d"))
    )
    return None if start is None else _monday_week(start, None)


def _first_week(
    text: str, range_pattern: re.Pattern[str], single_pattern: re.Pattern[str]
) -> tuple[date, date] | None:
    for match in range_pattern.finditer(text):
        found = _range_from_match(match)
        if found:
            return found
    for match in single_pattern.finditer(text):
        found = _single_from_match(match)
        if found:
            return found
    return None


def week_range_from_slug(slug: str) -> tuple[date, date] | None:
    """The week (Monday, Sunday) written in a slug, or ``None``.

    Understands ``december-21-27-2020-...``, ``november-30-december-6-2020-...``,
    ``december-28-2020-january-3-2021-...`` (optionally with ``-to-`` and ordinal suffixes,
    full or abbreviated month names) and a single date ``december-21-2020-...``. A range is
    accepted only if it is a real date that is a Monday and its end falls within that week;
    the week end returned is always the Monday + 6 days.

    Args:
        slug: The post's slug.

    Returns:
        ``(week_start, week_end)`` or ``None`` when the slug names no usable week.
    """
    return _first_week(slug.lower(), _SLUG_RANGE, _SLUG_SINGLE)


def week_range_from_title(title: str) -> tuple[date, date] | None:
    """The week (Monday, Sunday) written in a plain-text title, or ``None``.

    Understands ``December 21-27, 2020``, ``November 30 - December 6, 2020``,
    ``December 28, 2020 - January 3, 2021`` and ``December 28 - January 3, 2021`` (hyphen, en
    or em dash, or "to"), and a single ``December 21, 2020``; the same validity rules as
    :func:`week_range_from_slug`.

    Args:
        title: The title as plain text (entities decoded).

    Returns:
        ``(week_start, week_end)`` or ``None``.
    """
    return _first_week(collapse_whitespace(title), _TITLE_RANGE, _TITLE_SINGLE)


def week_range_from_post_date(day: date) -> tuple[date, date]:
    """The week of a post by its local date: that day if a Monday, else the next Monday.

    Posts go up before their week (the real one on the Sunday evening before), so a post
    dated Tuesday belongs to the following Monday's week.

    Args:
        day: The post's local calendar date.

    Returns:
        ``(week_start, week_end)``.
    """
    start = day + timedelta(days=(7 - day.weekday()) % 7)
    return start, start + timedelta(days=6)


def week_range(post: Mapping[str, Any]) -> tuple[date, date]:
    """The week a post programs: from the slug, else the title, else the post date.

    Args:
        post: The post dict as received from WordPress.

    Returns:
        ``(week_start, week_end)``.

    Raises:
        WodParseError: Neither slug nor title names a week and the post has no usable date.
    """
    found = week_range_from_slug(post_slug(post)) or week_range_from_title(post_title_text(post))
    if found:
        return found
    try:
        return week_range_from_post_date(post_local_date(post))
    except PostFieldError as exc:
        raise WodParseError(f"no week in slug or title, and {exc}") from None


_NUMBER_WORDS: dict[str, int] = {
    word: i
    for i, word in enumerate(
        ("one two three four five six seven eight nine ten eleven twelve").split(), start=1
    )
}


def session_sort_key(session: str) -> tuple[int, str]:
    """Order sessions naturally: ``Session One`` < ``Session Two`` < ... < other names."""
    numbered = _SESSION_LABEL.match(session)
    if numbered:
        n = numbered.group("n").lower()
        rank = _NUMBER_WORDS.get(n) or (int(n) if n.isdigit() else None)
        if rank is not None:
            return rank, session
    return 1000, session


def record_sort_key(record: Mapping[str, Any]) -> tuple[str, tuple[int, str]]:
    """Sort key of a session record: date, then the session's natural order."""
    return str(record["date"]), session_sort_key(str(record["session"]))


def parse_post(post: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Parse one post into session records, one per (date, session).

    Args:
        post: The post dict as received from WordPress.

    Returns:
        Records with the fields of :data:`SESSION_FIELDS`, dates as ISO strings, sorted by
        date and session. A day header repeated with the same session within the post is
        merged into one record (texts joined with a space), so no text is lost. A post with no
        day header gives an empty list.

    Raises:
        WodParseError: The post lacks an id or content, or its week cannot be determined.
    """
    try:
        pid = post_id(post)
        content = rendered_field(post, "content")
    except PostFieldError as exc:
        raise WodParseError(str(exc)) from None
    week_start, week_end = week_range(post)
    slug = post_slug(post)
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for day in split_days(html_to_lines(content)):
        texts = split_segments(day.lines)
        session = session_name(day.label, has_content=any(texts.values()))
        day_date = (week_start + timedelta(days=WEEKDAYS.index(day.weekday))).isoformat()
        existing = by_key.get((day_date, session))
        if existing is not None:
            for name, text in texts.items():
                existing[name] = " ".join(part for part in (existing[name], text) if part)
            continue
        by_key[(day_date, session)] = {
            "date": day_date,
            "weekday": day.weekday,
            "session": session,
            **texts,
            "post_id": pid,
            "slug": slug,
            "week_start": week_start.isoformat(),
            "week_end": week_end.isoformat(),
        }
    return sorted(by_key.values(), key=record_sort_key)


def _reject(
    post: Mapping[str, Any], reason: str, record: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    slug = post.get("slug")
    return {
        "post_id": post.get("id"),
        "slug": slug if isinstance(slug, str) else "",
        "date": record["date"] if record else "",
        "session": record["session"] if record else "",
        "reason": reason,
    }


def _priority(post: Mapping[str, Any]) -> tuple[datetime, int]:
    # Malformed versions or ids rank lowest instead of failing the whole batch here; the
    # post itself is reported when parse_post rejects it.
    try:
        version = post_version(post)
    except PostFieldError:
        version = datetime.min
    try:
        pid = post_id(post)
    except PostFieldError:
        pid = -1
    return version, pid


def parse_posts(posts: Sequence[Mapping[str, Any]]) -> ParseResult:
    """Parse many posts into unique session records, reporting everything left out.

    Several copies of one post id keep only the newest (``modified_gmt``/``modified``); when two
    posts give the same (date, session), the newer post wins (then the higher id). Nothing is
    dropped silently: each left-out post or session is a reject with a reason:
    ``older_copy_of_post``, ``unparseable: <message>``, ``no_day_headers`` or
    ``duplicate_session: post <id> is newer``.

    Args:
        posts: Post dicts as received from WordPress (or read back from bronze).

    Returns:
        A :class:`ParseResult`.
    """
    result = ParseResult()
    newest: dict[int, Mapping[str, Any]] = {}
    without_id: list[Mapping[str, Any]] = []
    for post in posts:
        try:
            pid = post_id(post)
        except PostFieldError:
            without_id.append(post)
            continue
        kept = newest.get(pid)
        if kept is not None and _priority(post) <= _priority(kept):
            result.rejects.append(_reject(post, "older_copy_of_post"))
            continue
        if kept is not None:
            result.rejects.append(_reject(kept, "older_copy_of_post"))
        newest[pid] = post

    claimed: dict[tuple[str, str], int] = {}
    ordered = sorted(newest.values(), key=_priority, reverse=True) + without_id
    for post in ordered:
        try:
            records = parse_post(post)
        except WodParseError as exc:
            result.rejects.append(_reject(post, f"unparseable: {exc}"))
            continue
        if not records:
            result.rejects.append(_reject(post, "no_day_headers"))
        for record in records:
            key = (record["date"], record["session"])
            if key in claimed:
                reason = f"duplicate_session: post {claimed[key]} is newer"
                result.rejects.append(_reject(post, reason, record))
                continue
            claimed[key] = record["post_id"]
            result.records.append(record)
    result.records.sort(key=record_sort_key)
    return result


__all__ = [
    "REST_DAY",
    "SEGMENT_FIELDS",
    "SESSION_FIELDS",
    "TEXT_FIELDS",
    "WEEKDAYS",
    "DayBlock",
    "ParseResult",
    "WodParseError",
    "html_to_lines",
    "match_day_header",
    "parse_post",
    "parse_posts",
    "record_sort_key",
    "session_name",
    "session_sort_key",
    "split_days",
    "split_segments",
    "week_range",
    "week_range_from_post_date",
    "week_range_from_slug",
    "week_range_from_title",
]
