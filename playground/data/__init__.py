"""Where the playground's data comes from: generated 2-D sets, shipped real sets, uploaded CSVs.

Every source returns the same :class:`Dataset` (a seeded train/test split with read-only arrays),
and every bad setting or file raises :class:`DataError` with one sentence for the user. This
package needs NumPy and pandas only.
"""
from .dataset import DataError, Dataset, split, standardize_by_train, targets
from .features import FEATURES, Feature, apply_features, with_features
from .generators import GENERATORS, GeneratorEntry, generate
from .real import REAL_DATASETS, load_real
from .upload import CsvLimits, csv_columns, parse_csv

__all__ = [
    "Dataset", "DataError", "split", "standardize_by_train", "targets",
    "FEATURES", "Feature", "apply_features", "with_features",
    "GENERATORS", "GeneratorEntry", "generate",
    "REAL_DATASETS", "load_real",
    "CsvLimits", "csv_columns", "parse_csv",
]
