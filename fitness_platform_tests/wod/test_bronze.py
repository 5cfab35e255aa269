"""The raw WOD store: keys, hostile slugs and idempotency on a local and an S3 lake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fitness_platform.storage.lake import Lake, s3_storage_options
from fitness_platform.wod.bronze import (
    INDEX_KEY,
    RAW_PREFIX,
    raw_post_key,
    read_stored_posts,
    serialize_post,
    store_posts,
)
from fitness_platform.wod.posts import PostFieldError
from fitness_platform_tests.wod.posts import make_post, week_post


def test_raw_post_key_uses_local_date_and_zero_padded_month() -> None:
    post = week_post(
        slug="december-21-27-2020-5-day-weightlifting-program", date="2020-12-20T17:00:21"
    )
    assert raw_post_key(post) == (
        "bronze/wod/raw/2020/12/2020-12-20__december-21-27-2020-5-day-weightlifting-program__raw.json"
    )
    january = week_post(slug="january-4-10-2021", date="2021-01-03T23:30:00")
    assert raw_post_key(january) == "bronze/wod/raw/2021/01/2021-01-03__january-4-10-2021__raw.json"


@pytest.mark.parametrize(
    "slug",
    [
        "../../../etc/passwd",
        "..%2F..%2Fsecrets",
        "a/b\\c",
        "／．．／ｅｔｃ",  # fullwidth solidus and dots: NFKC turns them into "/../etc"
        "..",
        "",
        "tab\there\x00nul",
        "x" * 400,
    ],
)
def test_hostile_slug_stays_one_segment_under_the_prefix(slug: str) -> None:
    key = raw_post_key(week_post(77, slug=slug, date="2021-03-07T17:00:00"))
    assert key.startswith("bronze/wod/raw/2021/03/2021-03-07__")
    assert key.endswith("__raw.json")
    assert key.count("/") == 5
    segment = key.rsplit("/", 1)[1]
    assert ".." not in segment
    assert segment.removesuffix("__raw.json").endswith("77")  # changed slugs carry the id
    assert len(segment) < 200


def test_sanitised_slugs_that_collide_get_distinct_keys() -> None:
    first = raw_post_key(week_post(1, slug="a.b", date="2021-03-07T17:00:00"))
    second = raw_post_key(week_post(2, slug="a_b", date="2021-03-07T17:00:00"))
    assert first != second


def test_raw_post_key_needs_a_date() -> None:
    post = week_post()
    del post["date"]
    with pytest.raises(PostFieldError, match=r"post 1001 .*'date' is missing"):
        raw_post_key(post)


@pytest.fixture(params=["local", "s3"])
def lake(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Lake]:
    """The same store on a local folder and on an S3 prefix of the moto server."""
    if request.param == "local":
        yield Lake(str(tmp_path / "lake"))
        return
    aws_env = request.getfixturevalue("aws_env")
    bucket = request.getfixturevalue("s3_bucket")
    yield Lake(f"s3://{bucket}/lake", s3_storage_options(aws_env))


def three_posts() -> list[dict]:
    return [
        week_post(1001),
        make_post(1002, slug="march-15-21-2021-program", date="2021-03-14T17:00:00"),
        make_post(1003, slug="march-22-28-2021-program", date="2021-03-21T17:00:00"),
    ]


def test_store_is_idempotent_and_stores_edited_posts_again(lake: Lake) -> None:
    posts = three_posts()
    first = store_posts(lake, posts)
    assert first.counts()["written"] == 3
    assert first.stored_count == 3
    keys = sorted(first.written)
    assert lake.list(RAW_PREFIX) == keys
    for post in posts:
        assert lake.read_bytes(raw_post_key(post)) == serialize_post(post)
        assert json.loads(lake.read_text(raw_post_key(post))) == post

    rerun = store_posts(lake, three_posts())
    assert rerun.stored_count == 0
    assert sorted(rerun.skipped) == keys

    edited = three_posts()
    edited[1]["modified"] = edited[1]["modified_gmt"] = "2021-03-20T08:00:00"
    edited[1]["content"]["rendered"] += "<p>Coach's note: updated.</p>"
    after_edit = store_posts(lake, edited)
    assert after_edit.updated == [raw_post_key(edited[1])]
    assert after_edit.written == []
    assert len(after_edit.skipped) == 2
    assert json.loads(lake.read_text(raw_post_key(edited[1]))) == edited[1]

    # An older copy never replaces the newer one.
    stale = store_posts(lake, three_posts())
    assert stale.stored_count == 0
    assert json.loads(lake.read_text(raw_post_key(edited[1]))) == edited[1]
    assert read_stored_posts(lake) == edited


def test_store_rebuilds_a_lost_index_from_the_files(lake: Lake) -> None:
    store_posts(lake, three_posts())
    lake.delete(INDEX_KEY)
    report = store_posts(lake, three_posts())
    assert report.stored_count == 0
    assert len(report.reindexed) == 3
    assert lake.exists(INDEX_KEY)

    lake.write_text(INDEX_KEY, "{not json")
    assert store_posts(lake, three_posts()).stored_count == 0
    index = json.loads(lake.read_text(INDEX_KEY))
    assert sorted(index["posts"]) == ["1001", "1002", "1003"]
    assert index["posts"]["1001"]["key"] == raw_post_key(week_post(1001))


def test_store_rewrites_a_deleted_file_and_moves_a_redated_post(lake: Lake) -> None:
    posts = three_posts()
    store_posts(lake, posts)
    lake.delete(raw_post_key(posts[0]))
    restored = store_posts(lake, three_posts())
    assert restored.written == [raw_post_key(posts[0])]

    moved = three_posts()
    moved[2]["date"] = "2021-03-20T09:00:00"
    moved[2]["modified"] = moved[2]["modified_gmt"] = "2021-03-20T09:00:00"
    report = store_posts(lake, moved)
    assert report.updated == [raw_post_key(moved[2])]
    assert report.removed == [raw_post_key(posts[2])]
    assert not lake.exists(raw_post_key(posts[2]))
    assert len(lake.list(RAW_PREFIX)) == 3


def test_store_rejects_unstorable_posts_and_keeps_the_rest(lake: Lake) -> None:
    undated = make_post(2001)
    del undated["date"]
    posts = [*three_posts(), undated, "not a post"]
    report = store_posts(lake, posts)  # type: ignore[arg-type]
    assert report.stored_count == 3
    assert [r["post_id"] for r in report.rejected] == [2001, None]
    assert "'date' is missing" in report.rejected[0]["reason"]


def test_duplicate_ids_in_one_batch_store_the_newest(lake: Lake) -> None:
    older, newer = week_post(1001), week_post(1001, modified="2021-03-06T00:00:00")
    report = store_posts(lake, [newer, older])
    assert report.written == [raw_post_key(newer)]
    assert report.skipped == [raw_post_key(older)]
    assert json.loads(lake.read_text(raw_post_key(newer)))["modified"] == "2021-03-06T00:00:00"
