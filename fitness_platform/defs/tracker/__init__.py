"""Tracker domain assets: bronze -> silver -> gold star schema."""
