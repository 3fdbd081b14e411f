"""Training of MedKB's small models on labelled public data: `python -m ingest.train [NAME ...] [--data DIR]`.

Each model module has `train(data: Path) -> str` that fits the model on training splits only, writes its weights
next to the code that loads them and its training report to ingest/train/reports/, and returns a one-line summary.
scikit-learn is needed here (the dev extra); inference needs numpy only.
"""
