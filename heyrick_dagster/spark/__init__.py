"""Heyrick on Apache Spark: a local SparkSession, the Splink backend on it, and the loader
that puts the DuckDB tables dbt reads into Spark's catalog.

For a department that outgrows one machine (DEPLOYMENT.md). Needs the optional `spark`
dependency group (`make spark-test` installs it); nothing else in Heyrick imports this
package, so the default install never loads pyspark.
"""
