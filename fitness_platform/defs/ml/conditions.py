"""Automation conditions of the ML assets.

All are ``AutomationCondition.eager()`` so ML refreshes after gold without a hand-written job.
The feature store also waits for the blocking quality checks of gold to pass. The models
replace eager's "any dependency updated" trigger with "a dependency's *data version* changed,
or this asset's code version changed": the feature store reports a hash of its content as its
data version, so a gold refresh that yields identical features does not retrain anything.
"""

import dagster as dg

AC = dg.AutomationCondition

FEATURES_CONDITION = AC.eager() & AC.all_deps_blocking_checks_passed()

MODEL_CONDITION = AC.eager().replace(
    "any_deps_updated",
    (AC.any_deps_match(AC.data_version_changed()) | AC.code_version_changed()).with_label(
        "features_data_version_or_code_version_changed"
    ),
)

PREDICTIONS_CONDITION = AC.eager()
