"""The embedded local cloud: the resources of template.yaml on this machine, without Docker.

moto's server provides S3, SQS, DynamoDB and Step Functions (executing state machines); a front door
on the same port answers the Lambda Invoke API with our real handlers from `functions/`, loaded the way
template.yaml names them; a poller turns S3 -> SQS upload notifications into trigger invocations.
"""
