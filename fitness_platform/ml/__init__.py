"""ML domain: forward-looking models on the tracker's daily rows, as pure functions.

Nothing here imports dagster. ``features`` lists every model input and label in one place,
``targets`` computes the forward labels, ``dataset`` joins both into the feature store's rows,
``split`` cuts by time with an embargo, ``train`` fits scikit-learn pipelines, ``evaluate``
compares them with the naive and the current-value baselines, ``plots`` draws the pictures the
UI shows, ``predict`` writes ``gold/fact_predictions`` and ``store`` keeps models on a lake.
"""
