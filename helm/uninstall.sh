#!/usr/bin/env bash
# Uninstall an mcp-atlassian release and, when nothing else is left in it, its namespace.
#
#   helm/uninstall.sh [--dry-run] [--keep-namespace] [--yes] [RELEASE]
#
# RELEASE defaults to mcp-atlassian; the namespace is $NAMESPACE (default mcp-atlassian). On a
# terminal the script asks before removing anything; --yes (or no terminal, as in scripts)
# goes ahead without asking. After `helm uninstall` the namespace is deleted when it holds
# nothing but what Kubernetes puts in every namespace, unless --keep-namespace; the namespaces
# default, kube-system, kube-public and kube-node-lease are never deleted. The token store's
# PersistentVolumeClaim (helm.sh/resource-policy: keep) survives, and so does its namespace.
#
# --dry-run: reports what it would remove and removes nothing. NAMESPACE_WAIT (default 60)
# is how many seconds to wait for the release's pods to go before judging the namespace.
#
# Exit codes: 0 done (also when the release did not exist); 1 helm or kubectl failed;
# 2 usage error; 3 helm or kubectl not found; 4 declined at the prompt.
set -euo pipefail

namespace=${NAMESPACE:-mcp-atlassian}
release=mcp-atlassian
dry_run=false
keep_namespace=false
yes=false

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
}
die() { # die CODE MESSAGE
  echo "uninstall.sh: $2" >&2
  exit "$1"
}
say() { echo "uninstall.sh: $*" >&2; }

release_set=false
while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) dry_run=true ;;
    --keep-namespace) keep_namespace=true ;;
    -y | --yes) yes=true ;;
    -h | --help)
      usage
      exit 0
      ;;
    -*) die 2 "unknown option $1 (see --help)" ;;
    *)
      $release_set && die 2 "one release name only, got '$release' and '$1'"
      release=$1
      release_set=true
      ;;
  esac
  shift
done

[[ $release =~ ^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$ ]] || die 2 "release name '$release' is not valid"
[[ $namespace =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] || die 2 "NAMESPACE '$namespace' is not valid"
command -v helm >/dev/null || die 3 "helm not found on PATH"
$keep_namespace || command -v kubectl >/dev/null || die 3 "kubectl not found on PATH (or pass --keep-namespace)"

# What is left in the namespace besides what Kubernetes creates in each one.
leftovers() {
  local out
  out=$(kubectl get all,configmaps,secrets,persistentvolumeclaims,serviceaccounts,ingresses,networkpolicies,poddisruptionbudgets,roles,rolebindings \
    --namespace "$namespace" --ignore-not-found -o name) || return 1
  printf '%s\n' "$out" | grep -v -E '^$|^(configmap/kube-root-ca\.crt|serviceaccount/default|secret/default-token-[a-z0-9]+)$' || true
}

release_exists=false
if helm status "$release" --namespace "$namespace" >/dev/null 2>&1; then
  release_exists=true
fi

delete_ns=false
if ! $keep_namespace; then
  case $namespace in
    default | kube-system | kube-public | kube-node-lease) ;;
    *) kubectl get namespace "$namespace" >/dev/null 2>&1 && delete_ns=true ;;
  esac
fi

if ! $release_exists && ! $delete_ns; then
  say "no release $release in namespace $namespace; nothing to do"
  exit 0
fi

if $dry_run; then
  if $release_exists; then
    say "dry run: would run: helm uninstall $release --namespace $namespace --wait"
  else
    say "dry run: no release $release in namespace $namespace"
  fi
  $delete_ns && say "dry run: would then delete namespace $namespace if nothing else is left in it"
  exit 0
fi

if ! $yes && [ -t 0 ] && [ -t 2 ]; then
  what="release $release"
  $release_exists || what="nothing of release $release (not installed)"
  $delete_ns && what="$what and namespace $namespace if it ends up empty"
  read -r -p "Remove $what? [y/N] " answer
  case $answer in
    y | Y | yes | YES) ;;
    *) die 4 "nothing removed" ;;
  esac
fi

if $release_exists; then
  helm uninstall "$release" --namespace "$namespace" --wait || die 1 "helm uninstall failed"
  say "release $release removed"
fi

if $delete_ns; then
  # Pods of the release may still be terminating (up to their grace period): wait for them.
  deadline=$((SECONDS + ${NAMESPACE_WAIT:-60}))
  while :; do
    left=$(leftovers) || die 1 "kubectl could not list namespace $namespace"
    if [ -z "$left" ] || grep -q -v -E '^(pod|replicaset\.apps)/' <<<"$left" || [ $SECONDS -ge $deadline ]; then
      break
    fi
    sleep 3
  done
  if [ -n "$left" ]; then
    say "namespace $namespace kept: it still holds $(echo "$left" | tr '\n' ' ')"
  else
    kubectl delete namespace "$namespace" --wait=true || die 1 "kubectl could not delete namespace $namespace"
    say "namespace $namespace removed"
  fi
fi
