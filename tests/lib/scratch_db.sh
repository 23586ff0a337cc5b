# Sourced by the CLI test scripts that run on either back end.
#   scratch_db BACKEND NAME
# sets `dir` (a temporary directory) and `db` (a --db URL): a SQLite file in
# `dir`, or a fresh schema NAME_<pid> on the PostgreSQL server at
# $YANGLAO_TEST_PG_URL (which scripts/test.sh starts). Both are removed when
# the script exits.
scratch_db() {
  local backend=$1 name=$2
  dir=$(mktemp -d)
  _scratch_url= _scratch_schema=
  trap _scratch_db_cleanup EXIT
  case $backend in
    sqlite) db=sqlite:$dir/registry.db ;;
    postgresql)
      _scratch_url=${YANGLAO_TEST_PG_URL:?YANGLAO_TEST_PG_URL is not set (scripts/test.sh starts a server)}
      _scratch_schema=${name}_$$
      psql -q "$_scratch_url" -c "CREATE SCHEMA $_scratch_schema"
      db="$_scratch_url?options=-csearch_path%3D$_scratch_schema"
      ;;
    *) echo "unknown back end: $backend (sqlite or postgresql)"; exit 2 ;;
  esac
}

_scratch_db_cleanup() {
  rm -rf "$dir"
  if [[ -n $_scratch_schema ]]; then
    psql -q "$_scratch_url" -c "DROP SCHEMA $_scratch_schema CASCADE" >/dev/null 2>&1 || true
  fi
}
