#!/bin/sh
# One-shot job (temporalio/admin-tools): the namespace with its retention and our four search attributes
# (domain/search-attributes.ts). Idempotent: what exists already is kept.
set -eu
ns="${TEMPORAL_NAMESPACE:-default}"
until temporal operator cluster health | grep -q SERVING; do sleep 1; done
temporal operator namespace describe --namespace "$ns" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$ns" --retention "${TEMPORAL_RETENTION:-30d}"
existing="$(temporal operator search-attribute list --namespace "$ns")"
for attr in EngagementPhase:Keyword OpenTrainProposalId:Keyword OpenTrainContractId:Keyword NextApprovalExpiry:Datetime; do
  name="${attr%%:*}"
  echo "$existing" | grep -qw "$name" ||
    temporal operator search-attribute create --namespace "$ns" --name "$name" --type "${attr#*:}" --yes
done
echo "namespace $ns ready"
