"""Side-by-side method benchmarks: scenarios, grading, statistics and reports."""
