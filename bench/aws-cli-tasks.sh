#!/usr/bin/env bash
# What `bosun snapshot tasks --cluster CLUSTER --format json` does, with the AWS CLI:
# every running task of a cluster, listed and then described 100 at a time (the most
# DescribeTasks takes). `list-tasks` pages through the list by itself.
#
# usage: bench/aws-cli-tasks.sh CLUSTER   (aws on PATH; region and endpoint from the environment)
set -euo pipefail
cluster=$1
aws ecs describe-clusters --clusters "$cluster" --output json >/dev/null
arns=$(aws ecs list-tasks --cluster "$cluster" --desired-status RUNNING --query 'taskArns[]' --output text)
# shellcheck disable=SC2086
printf '%s\n' $arns | xargs -r -n 100 aws ecs describe-tasks --cluster "$cluster" --output json --tasks
