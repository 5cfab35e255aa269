"""Hand-written WordPress post fixtures in the shape of the real Invictus posts.

The HTML follows the real ``content.rendered`` structure (``<p>`` paragraphs, ``<strong>`` day
and warm-up headers, ``<br />`` line breaks, links, entities) with text written for these tests.
"""

from __future__ import annotations

from typing import Any

LINK = '<a href="https://example.org/lift/{n}" target="_blank" rel="noopener noreferrer">{text}</a>'


def link(text: str, n: int = 1) -> str:
    """An anchor like the real posts' video links."""
    return LINK.format(n=n, text=text)


def make_post(
    post_id: int = 1001,
    *,
    slug: str = "march-8-14-2021-5-day-weightlifting-program",
    title: str = "March 8-14, 2021 &#8211; 5 Day Weightlifting Program",
    date: str = "2021-03-07T17:00:00",
    modified: str = "2021-03-05T10:00:00",
    modified_gmt: str | None = None,
    content: str | None = None,
) -> dict[str, Any]:
    """A post dict as ``/wp-json/wp/v2/posts`` returns one (the fields the pipeline reads)."""
    return {
        "id": post_id,
        "date": date,
        "date_gmt": date,
        "guid": {"rendered": f"https://example.org/?p={post_id}"},
        "modified": modified,
        "modified_gmt": modified_gmt if modified_gmt is not None else modified,
        "slug": slug,
        "status": "publish",
        "type": "post",
        "link": f"https://example.org/weightlifting/{slug}/",
        "title": {"rendered": title},
        "content": {"rendered": content if content is not None else WEEK_HTML, "protected": False},
        "excerpt": {"rendered": "<p>Excerpt</p>\n", "protected": False},
        "author": 7,
        "categories": [213],
        "tags": [],
    }


# A full week: Monday-Saturday, Thursday a rest day, Sunday absent; Monday has A-F, the
# warm-up header without a colon; Tuesday's has a colon and text on the same line.
WEEK_HTML = f"""<p>Welcome to the week&#8217;s programme. Read the notes first.</p>
<p><strong>Monday (Session One)</strong><br />
<strong>Suggested Warm-Up</strong><br />
2 Rounds: 10 Goblet Squats, 8 Ring Rows<br />
Empty bar: 5 Muscle Snatch, 5 Overhead Squat</p>
<p>A.<br />
Every 2 minutes, for 10 minutes (5 sets):<br />
{link("Hang Power Snatch", 1)} x 2 reps @ 65&#8211;72% of 1-RM Snatch</p>
<p>Followed by&#8230;</p>
<p>Snatch Balance x 3 reps</p>
<p>B.<br />
Back Squat x 5 reps @ 70% of 1RM Back Squat</p>
<p>C.<br />
{link("Clean Pull", 2)} x 3 reps @ 95-105% of your 1-RM Clean</p>
<p>D.<br />
Clean &amp; Jerk x 1 rep, build to a heavy single</p>
<p>E.<br />
Strict Press x 8 reps&nbsp;&nbsp;then&nbsp;rest</p>
<p>F.<br />
Pull-ups x 10 reps<br />
Romanian Deadlift x 8 reps</p>
<p><strong>Tuesday (Session Two)</strong><br />
<strong>Suggested Warm-Up:</strong> 400m row, easy pace<br />
3 Rounds: 5 Burpees</p>
<p>A.<br />
Power Jerk x 2 reps @ 75% of 1-RM Jerk</p>
<p>B.<br />
Front Squat x 3 reps<br />
Sunday: optional 20 minute walk, not part of the programme</p>
<p><strong>Wednesday (Session Three)</strong><br />
<strong>Suggested Warm-Up</strong><br />
Bike x 5 minutes</p>
<p>A.<br />
Snatch x 1 rep @ 80% of 1-RM Snatch<br />
Repeat Monday&#8217;s complex if time allows</p>
<p><strong>Thursday (Rest Day)</strong></p>
<p><strong>Friday (Session Four)</strong><br />
<strong>Suggested Warm-Up</strong><br />
Jump rope x 2 minutes</p>
<p>A.<br />
Deadlift x 5 reps @ 60% of 1-RM Deadlift</p>
<p><strong>Saturday (Session Five)</strong><br />
1. Take 5 minutes for mobility<br />
2. Take 5 minutes for technique</p>
<p>A.<br />
Push Press x 5 reps @ 85-90%</p>
"""


def week_post(post_id: int = 1001, **overrides: Any) -> dict[str, Any]:
    """The standard week post with any field overridden."""
    return make_post(post_id, **overrides)


def numbered_posts(count: int) -> list[dict[str, Any]]:
    """``count`` small distinct posts, ids 1..count, as a listing endpoint would serve them."""
    return [
        make_post(
            n,
            slug=f"post-{n}",
            title=f"Post {n}",
            date=f"2021-01-{(n % 28) + 1:02d}T08:00:00",
            content=f"<p><strong>Monday (Session One)</strong><br />A. Snatch x {n}</p>",
        )
        for n in range(1, count + 1)
    ]
