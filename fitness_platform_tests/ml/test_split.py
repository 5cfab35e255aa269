"""Time split with the SPEC embargo; never random rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from fitness_platform.ml.split import default_cutoff, time_split

DATES = pd.Series(pd.date_range("2024-09-06", "2025-09-05", freq="D").repeat(3))


def test_default_cutoff_leaves_the_last_fifth_of_the_range_for_testing() -> None:
    cutoff = default_cutoff(DATES)
    assert cutoff == date(2025, 6, 24)  # 364-day range: the last 73 days are the test period
    assert (date(2025, 9, 5) - cutoff).days == round(364 * 0.2)


def test_embargo_keeps_every_training_label_before_the_cutoff() -> None:
    split = time_split(DATES, horizon_days=30)
    cut = pd.Timestamp(split.cutoff)
    train_dates, test_dates = DATES[split.train], DATES[split.test]
    assert (train_dates + pd.Timedelta(days=30)).max() == cut
    assert test_dates.min() == cut + pd.Timedelta(days=1)
    assert not np.any(split.train & split.test)
    # The 30 days before the cutoff are in neither set: their labels reach into the test period.
    gap = DATES[~split.train & ~split.test]
    assert gap.min() == cut - pd.Timedelta(days=29) and gap.max() == cut


def test_configurable_cutoff_and_fraction() -> None:
    split = time_split(DATES, horizon_days=1, cutoff=date(2025, 3, 1))
    assert DATES[split.train].max() == pd.Timestamp("2025-02-28")
    assert DATES[split.test].min() == pd.Timestamp("2025-03-02")
    assert default_cutoff(DATES, 0.5) == date(2025, 3, 7)
    with pytest.raises(ValueError, match="test_fraction"):
        default_cutoff(DATES, 1.5)
    with pytest.raises(ValueError, match="empty"):
        default_cutoff(pd.Series([], dtype="datetime64[ns]"))


def test_window_reports_the_dates_used() -> None:
    split = time_split(DATES, horizon_days=30)
    window = split.window(DATES)
    assert window["train_start"] == "2024-09-06"
    assert window["train_end"] == "2025-05-25"
    assert window["test_start"] == "2025-06-25"
    assert window["test_end"] == "2025-09-05"
