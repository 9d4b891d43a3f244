"""Read-side reports for admins: analytics, plan economics, the usage log, routing dry runs."""
