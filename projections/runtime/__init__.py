"""What every projection shares: the runner, the event log reader, the engines, the tracking table and the readers' freshness."""
