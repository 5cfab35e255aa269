"""``python -m fitness_platform_tests.reliability.run_tracker_once <lake_root>``: one headless
``fitness-platform run`` (without ML) against ``$DAGSTER_HOME``, printing its summary as JSON.

The concurrency test starts two of these at once, as two operators or two schedulers would.
"""

from __future__ import annotations

import json
import sys

import dagster as dg

from fitness_platform.runner import run_tracker
from fitness_platform.settings import load_settings


def main(lake_root: str) -> int:
    """Run once and print ``{"exit_code", "failed_steps", "failed_checks"}``."""
    settings = load_settings({"FITNESS_LOCAL_ROOT": lake_root})
    summary = run_tracker(settings, instance=dg.DagsterInstance.get(), echo=print, ml=False)
    outcome = {
        "exit_code": summary.exit_code,
        "failed_steps": summary.failed_steps,
        "failed_checks": summary.failed_checks,
    }
    print("SUMMARY " + json.dumps(outcome), flush=True)
    return summary.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
