#!/usr/bin/env bash
# Install or upgrade the mcp-atlassian chart beside this script.
#
#   helm/install.sh [--dry-run] [-f VALUES.yaml]... [RELEASE] [-- HELM_ARGS...]
#
# RELEASE defaults to mcp-atlassian; the namespace is $NAMESPACE (default mcp-atlassian) and is
# created when missing. Credentials come from the environment (JIRA_URL, JIRA_USERNAME,
# JIRA_API_TOKEN, JIRA_PERSONAL_TOKEN and the same for CONFLUENCE_); on a terminal the script
# asks for what is missing, without echoing tokens. EXISTING_SECRET=NAME uses a Secret managed
# elsewhere instead. IMAGE_REPOSITORY and IMAGE_TAG set the image.
#
# Credentials reach helm only through a values file of mode 0600 in a private temporary
# directory, removed on exit: never on a command line, never printed.
#
# --dry-run: checks the input and renders the chart with `helm template` (no cluster needed),
# prints the command it would run, and changes nothing.
#
# Exit codes: 0 done; 1 helm failed; 2 usage error or no credentials; 3 helm not found.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
chart=$script_dir
namespace=${NAMESPACE:-mcp-atlassian}
release=mcp-atlassian
dry_run=false
values_files=()
helm_args=()

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
}
die() { # die CODE MESSAGE
  echo "install.sh: $2" >&2
  exit "$1"
}

release_set=false
while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) dry_run=true ;;
    -f | --values)
      [ $# -ge 2 ] || die 2 "$1 needs a file"
      [ -r "$2" ] || die 2 "$2: no such readable file"
      values_files+=("$2")
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    --)
      shift
      helm_args=("$@")
      break
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

[[ $release =~ ^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$ ]] ||
  die 2 "release name '$release' must be lower-case letters, digits and '-' (at most 53)"
[[ $namespace =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] ||
  die 2 "NAMESPACE '$namespace' is not a valid namespace name"
command -v helm >/dev/null || die 3 "helm not found on PATH (https://helm.sh/docs/intro/install/)"

interactive=false
[ -t 0 ] && [ -t 2 ] && interactive=true

ask() { # ask VAR PROMPT [secret]: read a missing value from the terminal
  local var=$1 prompt=$2 secret=${3:-} value=""
  if [ -n "$secret" ]; then
    read -r -s -p "$prompt: " value
    echo >&2
  else
    read -r -p "$prompt: " value
  fi
  printf -v "$var" '%s' "$value"
}

# JSON string literal (JSON is YAML, so helm reads it as a values file).
json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}

existing_secret=${EXISTING_SECRET:-}
declare -A cred=()
keys=(jiraUrl jiraUsername jiraApiToken jiraPersonalToken
  confluenceUrl confluenceUsername confluenceApiToken confluencePersonalToken)
vars=(JIRA_URL JIRA_USERNAME JIRA_API_TOKEN JIRA_PERSONAL_TOKEN
  CONFLUENCE_URL CONFLUENCE_USERNAME CONFLUENCE_API_TOKEN CONFLUENCE_PERSONAL_TOKEN)
for i in "${!keys[@]}"; do
  cred[${keys[$i]}]=${!vars[$i]:-}
done

if [ -z "$existing_secret" ]; then
  if $interactive; then
    for product in jira confluence; do
      label=Jira
      [ $product = confluence ] && label=Confluence
      if [ -z "${cred[${product}Url]}" ]; then
        ask "cred[${product}Url]" "$label URL (empty to skip $label)"
      fi
      [ -n "${cred[${product}Url]}" ] || continue
      if [ -z "${cred[${product}ApiToken]}${cred[${product}PersonalToken]}" ]; then
        if [ -z "${cred[${product}Username]}" ]; then
          ask "cred[${product}Username]" "$label user name (e-mail on Cloud; empty for a personal access token)"
        fi
        if [ -n "${cred[${product}Username]}" ]; then
          ask "cred[${product}ApiToken]" "$label API token or password" secret
        else
          ask "cred[${product}PersonalToken]" "$label personal access token" secret
        fi
      fi
    done
  fi
  [ -n "${cred[jiraUrl]}${cred[confluenceUrl]}" ] ||
    die 2 "no site: set JIRA_URL and/or CONFLUENCE_URL with their credentials, or EXISTING_SECRET"
  for product in jira confluence; do
    if [ -n "${cred[${product}Url]}" ] && [ -z "${cred[${product}ApiToken]}${cred[${product}PersonalToken]}" ]; then
      echo "install.sh: warning: ${product} has a URL but no token; callers must bring their own credentials" >&2
    fi
  done
fi

for key in "${keys[@]}"; do
  [[ ${cred[$key]} != *[[:cntrl:]]* ]] || die 2 "the value for secret.$key contains a control character"
done

umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
values=$work/values.json
{
  printf '{'
  sep=""
  if [ -n "$existing_secret" ]; then
    printf '"existingSecret": %s' "$(json_str "$existing_secret")"
    sep=", "
  else
    printf '"secret": {'
    first=true
    for key in "${keys[@]}"; do
      [ -n "${cred[$key]}" ] || continue
      $first || printf ', '
      first=false
      printf '%s: %s' "$(json_str "$key")" "$(json_str "${cred[$key]}")"
    done
    printf '}'
    sep=", "
  fi
  if [ -n "${IMAGE_REPOSITORY:-}${IMAGE_TAG:-}" ]; then
    printf '%s"image": {' "$sep"
    isep=""
    if [ -n "${IMAGE_REPOSITORY:-}" ]; then
      printf '"repository": %s' "$(json_str "$IMAGE_REPOSITORY")"
      isep=", "
    fi
    [ -z "${IMAGE_TAG:-}" ] || printf '%s"tag": %s' "$isep" "$(json_str "$IMAGE_TAG")"
    printf '}'
  fi
  printf '}\n'
} >"$values"
chmod 0600 "$values"

# User values files first, then the credentials (which win).
args=(upgrade --install "$release" "$chart" --namespace "$namespace" --create-namespace)
for f in "${values_files[@]}"; do
  args+=(--values "$f")
done
args+=(--values "$values" --wait --timeout "${HELM_TIMEOUT:-5m}")
args+=("${helm_args[@]}")

if $dry_run; then
  targs=(template "$release" "$chart" --namespace "$namespace")
  for f in "${values_files[@]}"; do
    targs+=(--values "$f")
  done
  targs+=(--values "$values")
  if ! helm "${targs[@]}" >/dev/null; then
    die 1 "the chart does not render with these values (see helm's message above)"
  fi
  echo "install.sh: dry run: the chart renders; would run (the credentials file is temporary):" >&2
  printf 'helm' >&2
  printf ' %q' "${args[@]}" >&2
  printf '\n' >&2
  exit 0
fi

echo "install.sh: installing release $release into namespace $namespace" >&2
helm "${args[@]}" || die 1 "helm upgrade --install failed"
