//! Rows for the `jira_projects` toolset. Writes touch only OPS versions (names no other table
//! reads) and descriptions of existing versions.

use crate::harness::{FILTERED, On, Row, run_table};

pub const ROWS: &[Row] = &[
    Row::ok(
        "jira_get_all_projects",
        On::Cloud,
        r#"{}"#,
        &[
            "/count=4",
            "/projects/0/key",
            "/projects/0/lead/display_name",
            "!OLD",
            "!avatar",
        ],
        &["GET /rest/api/3/project/search"],
    ),
    Row::ok(
        "jira_get_all_projects",
        On::Server,
        r#"{"include_archived": true}"#,
        &["/count=5", "/projects/4/key=OLD"],
        &["GET /rest/api/2/project"],
    ),
    Row::ok(
        "jira_get_all_projects",
        On::Both,
        r#"{}"#,
        &["/count=1", "/projects/0/key=MOB"],
        &["..."],
    )
    .with(FILTERED),
    Row::err(
        "jira_get_all_projects",
        On::Both,
        r#"{"include_archived": "yes"}"#,
        "include_archived",
        &[],
    ),
    Row::ok(
        "jira_search_projects",
        On::Both,
        r#"{"query": "mob"}"#,
        &["/count=1", "/projects/0/name=Mobile App"],
        &["..."],
    ),
    Row::ok(
        "jira_search_projects",
        On::Both,
        r#"{"query": "o", "current_project_ids": "MOB,10002"}"#,
        &["/count=1", "/projects/0/key=MOB"],
        &["..."],
    )
    .with(FILTERED),
    Row::err(
        "jira_search_projects",
        On::Both,
        r#"{"query": "web", "max_results": 0}"#,
        "below the minimum 1",
        &[],
    ),
    Row::ok(
        "jira_get_project_issue_types",
        On::Both,
        r#"{"project_key": "MOB"}"#,
        &["/issue_types/0/name=Epic", "/issue_types/0/id=10000"],
        &["GET /rest/api/{api}/project/MOB"],
    ),
    Row::err(
        "jira_get_project_issue_types",
        On::Both,
        r#"{"project_key": "WEB"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::err(
        "jira_get_project_issue_types",
        On::Both,
        r#"{"project_key": "NOPE"}"#,
        "404",
        &["GET /rest/api/{api}/project/NOPE"],
    ),
    Row::ok(
        "jira_get_project_fields",
        On::Both,
        r#"{"project_key": "MOB"}"#,
        &["/fields/0/id", "/fields/0/issue_types/0=Epic", "/count"],
        &[
            "GET /rest/api/{api}/project/MOB",
            "GET /rest/api/{api}/issue/createmeta/MOB/issuetypes/10000",
            "...",
        ],
    ),
    Row::err(
        "jira_get_project_fields",
        On::Both,
        r#"{"project_key": "ops"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::ok(
        "jira_get_create_fields",
        On::Both,
        r#"{"project_key": "MOB", "issue_type_id": "10002"}"#,
        &["/fields/0/id", "/issue_type_id=10002", "!fieldId"],
        &["GET /rest/api/{api}/issue/createmeta/MOB/issuetypes/10002"],
    ),
    Row::err(
        "jira_get_create_fields",
        On::Both,
        r#"{"project_key": "MOB", "issue_type_id": "99999"}"#,
        "404",
        &["GET /rest/api/{api}/issue/createmeta/MOB/issuetypes/99999"],
    ),
    Row::ok(
        "jira_get_project_components",
        On::Both,
        r#"{"project_key": "WEB"}"#,
        &["/project_key=WEB", "/components/0/name", "!self"],
        &["GET /rest/api/{api}/project/WEB/components"],
    ),
    Row::err(
        "jira_get_project_components",
        On::Both,
        r#"{"project_key": "WEB"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::ok(
        "jira_get_project_versions",
        On::Both,
        r#"{"project_key": "WEB"}"#,
        &[
            "#/versions=4",
            "/versions/0/name=2.3.0",
            "/versions/0/released",
        ],
        &["GET /rest/api/{api}/project/WEB/versions"],
    ),
    Row::err(
        "jira_get_project_versions",
        On::Both,
        r#"{"project_key": "WEB/1"}"#,
        "is not a project key",
        &[],
    ),
    Row::ok(
        "jira_create_version",
        On::Cloud,
        r#"{"project_key": "OPS", "name": "9.0-rows", "release_date": "2027-03-01", "description": "From the rows"}"#,
        &[
            "/created=true",
            "/version/name=9.0-rows",
            "/version/release_date=2027-03-01",
        ],
        &["GET /rest/api/3/project/OPS", "POST /rest/api/3/version"],
    ),
    Row::ok(
        "jira_create_version",
        On::Server,
        r#"{"project_key": "OPS", "name": "9.0-rows", "start_date": "2027-01-04"}"#,
        &["/created=true", "/version/start_date=2027-01-04"],
        &["POST /rest/api/2/version"],
    ),
    Row::err(
        "jira_create_version",
        On::Both,
        r#"{"project_key": "OPS", "name": "9.0-bad", "release_date": "03/01/2027"}"#,
        "not a date written YYYY-MM-DD",
        &[],
    ),
    Row::err(
        "jira_create_version",
        On::Both,
        r#"{"project_key": "OPS", "name": "9.0-filtered"}"#,
        "outside the projects",
        &[],
    )
    .with(FILTERED),
    Row::ok(
        "jira_batch_create_versions",
        On::Both,
        r#"{"project_key": "OPS", "versions": "[{\"name\": \"9.1-rows\", \"releaseDate\": \"2027-04-01\"}, {\"name\": \"Q4 hardening\"}]"}"#,
        &[
            "/created=1",
            "/failed=1",
            "/results/0/version/name=9.1-rows",
            "/results/1/success=false",
            "/results/1/error~already exists",
        ],
        &["..."],
    ),
    Row::ok(
        "jira_batch_create_versions",
        On::Both,
        r#"{"project_key": "OPS", "versions": [{"name": "9.2-rows"}, {"description": "no name"}]}"#,
        &["/created=1", "/results/1/error~needs a name"],
        &["..."],
    ),
    Row::err(
        "jira_batch_create_versions",
        On::Both,
        r#"{"project_key": "OPS", "versions": "[]"}"#,
        "give 1 to 50 versions",
        &[],
    ),
    Row::err(
        "jira_batch_create_versions",
        On::Both,
        r#"{"project_key": "OPS", "versions": "[\"9.3\"]"}"#,
        "is not an object",
        &[],
    ),
    Row::ok(
        "jira_update_version",
        On::Both,
        r#"{"version_id": "10018", "description": "Hardening work for Q4"}"#,
        &[
            "/updated=true",
            "/version/description=Hardening work for Q4",
        ],
        &["PUT /rest/api/{api}/version/10018"],
    ),
    // With a filter, the version's project is looked up first.
    Row::ok(
        "jira_update_version",
        On::Both,
        r#"{"version_id": "10013", "description": "Quiet hours"}"#,
        &["/version/name=5.2"],
        &[
            "GET /rest/api/{api}/version/10013",
            "GET /rest/api/{api}/project/10001",
            "PUT /rest/api/{api}/version/10013",
        ],
    )
    .with(FILTERED),
    Row::err(
        "jira_update_version",
        On::Both,
        r#"{"version_id": "10005", "released": true}"#,
        "WEB (of version 10005) is outside the projects",
        &[
            "GET /rest/api/{api}/version/10005",
            "GET /rest/api/{api}/project/10000",
        ],
    )
    .with(FILTERED),
    Row::err(
        "jira_update_version",
        On::Both,
        r#"{"version_id": "10018"}"#,
        "nothing to change",
        &[],
    ),
];

#[test]
fn jira_projects_table() {
    run_table(ROWS);
}
