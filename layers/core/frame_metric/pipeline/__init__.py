"""The frame-analysis pipeline: the S3 trigger and the Step Functions steps (probe, analyse, select,
finalize, fail), plus the sweeper that ends executions the state machine lost."""
