"""AWS resources over boto3: DynamoDB, SNS, the Glue catalog and small S3 helpers.

Credentials come only from the standard AWS credential chain; the resources carry
non-secret settings (region, endpoint, names) fed by ``settings.py`` or ``dg.EnvVar``.
"""
