"""AWS readers: boto3 against each account and region in scope, every failure a Gap."""
