"""Dashboards and the report for coordinators and the Conference of the States Parties."""
