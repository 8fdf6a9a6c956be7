"""Report data built from the store and the metrics (meeting brief), and its PDF/XLSX exports."""
