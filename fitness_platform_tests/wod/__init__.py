"""Tests of the WOD domain's pure logic, client and raw store."""
