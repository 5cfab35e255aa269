"""Serving and catalog assets: DynamoDB user summary and Glue registration of gold."""
