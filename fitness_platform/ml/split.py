"""Time split with an embargo (SPEC 1.5); never a random row split.

Test rows are dated after the cutoff. Training rows are those whose label is fully known by
the cutoff, ``d + horizon <= cutoff``, so no training label looks into the test period. With
the default cutoff the test period is the last 20% of the date range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

DEFAULT_TEST_FRACTION = 0.2


@dataclass(frozen=True)
class TimeSplit:
    """Which rows train and which test, and the window each covers.

    Attributes:
        cutoff: Last day whose data training may see (labels included).
        horizon_days: The label horizon the embargo was applied for.
        train: Boolean mask of training rows (date + horizon <= cutoff).
        test: Boolean mask of test rows (date > cutoff).
    """

    cutoff: date
    horizon_days: int
    train: np.ndarray
    test: np.ndarray

    def window(
        self,
        dates: pd.Series,
        train: np.ndarray | None = None,
        test: np.ndarray | None = None,
    ) -> dict[str, str | None]:
        """First and last training and test dates (ISO), for the model's sidecar.

        Args:
            dates: Row dates (datetime64), aligned with the masks.
            train: Training rows actually used (default: :attr:`train`).
            test: Test rows actually used (default: :attr:`test`).
        """

        def bounds(mask: np.ndarray) -> tuple[str | None, str | None]:
            chosen = dates[np.asarray(mask)]
            if chosen.empty:
                return None, None
            return chosen.min().date().isoformat(), chosen.max().date().isoformat()

        train_start, train_end = bounds(self.train if train is None else train)
        test_start, test_end = bounds(self.test if test is None else test)
        return {
            "cutoff": self.cutoff.isoformat(),
            "horizon_days": str(self.horizon_days),
            "train_start": train_start,
            "train_end": train_end,
            "test_start": test_start,
            "test_end": test_end,
        }


def default_cutoff(dates: pd.Series, test_fraction: float = DEFAULT_TEST_FRACTION) -> date:
    """The cutoff that leaves the last ``test_fraction`` of the date range for testing.

    Raises:
        ValueError: If there are no dates or the fraction is not in (0, 1).
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    if dates.empty:
        raise ValueError("cannot split an empty data set by time")
    first, last = dates.min().date(), dates.max().date()
    span = (last - first).days
    return last - timedelta(days=round(span * test_fraction))


def time_split(
    dates: pd.Series,
    horizon_days: int,
    cutoff: date | None = None,
    test_fraction: float = DEFAULT_TEST_FRACTION,
) -> TimeSplit:
    """Split rows by date with the embargo ``d + horizon <= cutoff`` for training.

    Args:
        dates: Row dates (datetime64).
        horizon_days: How far the label looks ahead.
        cutoff: Last day training may see; default :func:`default_cutoff`.
        test_fraction: Share of the date range used for testing when ``cutoff`` is None.

    Returns:
        The split. Rows with an unknown label must still be dropped by the caller.
    """
    chosen = cutoff or default_cutoff(dates, test_fraction)
    cut = pd.Timestamp(chosen)
    values = dates.to_numpy(dtype="datetime64[ns]")
    train = values + np.timedelta64(horizon_days, "D") <= cut.to_datetime64()
    test = values > cut.to_datetime64()
    return TimeSplit(cutoff=chosen, horizon_days=horizon_days, train=train, test=test)
