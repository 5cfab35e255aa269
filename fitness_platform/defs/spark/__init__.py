"""The tracker tables built by the Spark Pipes job, locally or on EMR Serverless / Glue."""
