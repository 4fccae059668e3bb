#!/usr/bin/env bash
# Lets the Function App's managed identity read Exchange Online message trace
# through Microsoft Graph. It creates the tenant's service principal for
# Microsoft's message trace application (Transport Data Platform) if it is
# missing, and assigns the identity the Graph application permission
# ExchangeMessageTrace.Read.All. Graph returns 401 until both exist.
#
# Run it once after deploying deploy/azuredeploy.json, signed in with
# `az login` as an administrator who can grant Microsoft Graph application
# permissions (Privileged Role Administrator or Global Administrator).
# Running it again changes nothing that is already in place.
set -euo pipefail

readonly transport_data_platform_app_id=8bd644d1-64a1-4d4b-ae52-2e0cbf64e373
readonly graph_app_id=00000003-0000-0000-c000-000000000000
readonly permission=ExchangeMessageTrace.Read.All
readonly graph_api=https://graph.microsoft.com/v1.0
readonly guid_pattern='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'

usage() {
  cat <<EOF
usage: $(basename "$0") [--dry-run] PRINCIPAL_ID

Grants the Microsoft Graph application permission $permission to the
managed identity PRINCIPAL_ID and creates the Transport Data Platform service
principal ($transport_data_platform_app_id) if the tenant has none.

  PRINCIPAL_ID  object id of the Function App's managed identity: the
                principalId output of deploy/azuredeploy.json
  --dry-run     print the az commands without running any of them
  -h, --help    show this help
EOF
}

fail() {
  echo "grant-graph-permission: $1" >&2
  exit "${2:-1}"
}

dry_run=false
principal_id=""
while (($# > 0)); do
  case "$1" in
    --dry-run) dry_run=true ;;
    -h | --help)
      usage
      exit 0
      ;;
    -*)
      usage >&2
      fail "unknown option '$1'" 64
      ;;
    *)
      [[ -z $principal_id ]] || fail "more than one PRINCIPAL_ID given ('$principal_id' and '$1')" 64
      principal_id=$1
      ;;
  esac
  shift
done

if [[ -z $principal_id ]]; then
  usage >&2
  fail "missing PRINCIPAL_ID; pass the principalId output of deploy/azuredeploy.json" 64
fi
[[ $principal_id =~ $guid_pattern ]] ||
  fail "invalid PRINCIPAL_ID '$principal_id': expected a GUID such as 11111111-2222-3333-4444-555555555555" 64

if ! $dry_run; then
  command -v az >/dev/null 2>&1 || fail "the Azure CLI (az) is not installed; see https://learn.microsoft.com/cli/azure/install-azure-cli"
fi

# Prints an az command as it would be typed.
show() {
  printf '+' >&2
  printf ' %q' "$@" >&2
  printf '\n' >&2
}

# Runs a read-only az command and prints its output. Under --dry-run it only
# shows the command and prints PLACEHOLDER in place of the output.
lookup() {
  local placeholder=$1
  shift
  show "$@"
  if $dry_run; then
    printf '%s\n' "$placeholder"
  else
    "$@"
  fi
}

# Runs an az command that changes the tenant, or under --dry-run only shows it.
change() {
  show "$@"
  $dry_run || "$@"
}

$dry_run && echo "Dry run: the az commands are printed, none is run."

echo "Looking up the service principal of Transport Data Platform (app id $transport_data_platform_app_id)."
transport_sp_id=$(lookup "" az ad sp list --filter "appId eq '$transport_data_platform_app_id'" \
  --query "[0].id" --output tsv)
if [[ -z $transport_sp_id ]]; then
  echo "Not found: creating it. Microsoft says provisioning can take several hours."
  change az ad sp create --id "$transport_data_platform_app_id" --output none
else
  echo "Found: $transport_sp_id."
fi

echo "Looking up the managed identity $principal_id."
identity_name=$(lookup "<display name of $principal_id>" az rest --method GET \
  --url "$graph_api/servicePrincipals/$principal_id" --query displayName --output tsv) ||
  fail "no service principal with object id $principal_id; pass the principalId output of the deployment, not the app's client id"
echo "Found: $identity_name."

echo "Looking up Microsoft Graph's application permission $permission."
graph_sp_id=$(lookup "<Microsoft Graph service principal id>" az ad sp list \
  --filter "appId eq '$graph_app_id'" --query "[0].id" --output tsv)
[[ -n $graph_sp_id ]] || fail "the tenant has no Microsoft Graph service principal (app id $graph_app_id)"
role_id=$(lookup "<$permission app role id>" az ad sp list --filter "appId eq '$graph_app_id'" \
  --query "[0].appRoles[?value=='$permission' && contains(allowedMemberTypes, 'Application')].id | [0]" \
  --output tsv)
[[ -n $role_id ]] ||
  fail "Microsoft Graph in this tenant has no application permission $permission; Graph message trace is offered in the global service only, so national clouds need MESSAGE_TRACE_SOURCE=reporting"

assigned=$(lookup 0 az rest --method GET --url "$graph_api/servicePrincipals/$principal_id/appRoleAssignments" \
  --query "length(value[?appRoleId=='$role_id' && resourceId=='$graph_sp_id'])" --output tsv)
if [[ $assigned != 0 ]]; then
  echo "$identity_name already has $permission; nothing to assign."
else
  echo "Assigning $permission to $identity_name."
  body=$(printf '{"principalId":"%s","resourceId":"%s","appRoleId":"%s"}' "$principal_id" "$graph_sp_id" "$role_id")
  change az rest --method POST --url "$graph_api/servicePrincipals/$principal_id/appRoleAssignments" \
    --headers "Content-Type=application/json" --body "$body" --output none
fi

cat <<EOF
Done. A managed identity's tokens are cached, so the permission can take
several hours to reach the app, and a new Transport Data Platform service
principal can take several hours to be provisioned. Until then a run fails
with Graph's 401 and names what is missing.
EOF
