"""Storage: the lake root (local folder or S3 prefix), atomic writes and the Parquet IO manager."""
