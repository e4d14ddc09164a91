"""Analytics: statistics over the store (through DuckDB), charts, reports and policy what-if."""
