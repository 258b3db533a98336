//! The contract test's cases, one request per line: `METHOD PATH USER STATUS [NAME=/json/pointer]
//! [JSON BODY]`, where `{NAME}` in a later path is replaced by the value captured from an earlier
//! answer. Together they call every endpoint of the sandbox that the official documents
//! describe; `contract.rs` checks each answer against the response schema and, afterwards, every
//! logged request against the request side of the documents (`support::spec_check`).

pub const CLOUD_JIRA: &str = r#"
GET /rest/api/3/issue/WEB-2 alice 200 att=/fields/attachment/0/id
GET /rest/api/3/issue/WEB-4?expand=renderedFields,names,schema,changelog,transitions,editmeta alice 200
GET /rest/api/3/issue/SUP-2 alice 200
GET /rest/api/3/issue/WEB-2/comment alice 200
GET /rest/api/3/issue/WEB-4/transitions?expand=transitions.fields alice 200
GET /rest/api/3/issue/WEB-2/worklog alice 200
GET /rest/api/3/issue/WEB-4/changelog alice 200
POST /rest/api/3/changelog/bulkfetch alice 200 {"issueIdsOrKeys":["WEB-4","WEB-11","WEB-12"],"maxResults":2}
GET /rest/api/3/issue/WEB-2/watchers alice 200
GET /rest/api/3/issue/WEB-19/remotelink alice 200
GET /rest/api/3/issueLinkType alice 200
GET /rest/api/3/issueLink/10110 alice 200
GET /rest/api/3/attachment/{att} alice 200
POST /rest/api/3/search/jql alice 200 {"jql":"project = WEB ORDER BY key","fields":["*all"],"maxResults":6,"expand":"names,schema"}
GET /rest/api/3/search/jql?jql=project%3DMOB&fields=summary,status,assignee,comment bob 200
POST /rest/api/3/search/approximate-count alice 200 {"jql":"project = OPS"}
POST /rest/api/3/search alice 410 {"jql":"project = OPS"}
GET /rest/api/3/field alice 200
GET /rest/api/3/field/search?type=custom alice 200
GET /rest/api/3/field/customfield_10030/context alice 200
GET /rest/api/3/field/customfield_10030/context/10200/option alice 200
GET /rest/api/3/myself alice 200
GET /rest/api/3/serverInfo alice 200
GET /rest/api/3/project alice 200
GET /rest/api/3/project/search?maxResults=2 alice 200
GET /rest/api/3/project/WEB alice 200
GET /rest/api/3/project/WEB/versions alice 200
GET /rest/api/3/project/WEB/version alice 200
GET /rest/api/3/project/WEB/components alice 200
GET /rest/api/3/project/SUP/statuses alice 200
GET /rest/api/3/issue/createmeta/WEB/issuetypes alice 200
GET /rest/api/3/issue/createmeta/WEB/issuetypes/10003 alice 200
GET /rest/api/3/user?accountId=5d2f9e1a7c3b4a0012e4f6a1 alice 200
GET /rest/api/3/user/search?query=ali alice 200
GET /rest/api/3/user/assignable/search?project=WEB alice 200
GET /rest/api/3/priority alice 200
GET /rest/api/3/status alice 200
GET /rest/api/3/resolution alice 200
GET /rest/api/3/issuetype alice 200
POST /rest/api/3/issue bob 201 new=/key {"fields":{"project":{"key":"WEB"},"issuetype":{"name":"Task"},"summary":"Contract","description":{"version":1,"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"From the contract test"}]}]},"labels":["contract"]}}
POST /rest/api/3/issue/bulk bob 201 {"issueUpdates":[{"fields":{"project":{"key":"MOB"},"issuetype":{"name":"Task"},"summary":"Bulk one"}},{"fields":{"project":{"key":"MOB"},"summary":"No type"}}]}
PUT /rest/api/3/issue/{new} bob 204 {"fields":{"summary":"Contract (edited)"},"update":{"labels":[{"add":"edited"}]}}
PUT /rest/api/3/issue/{new}/assignee bob 204 {"accountId":"5d2f9e1a7c3b4a0012e4f6a1"}
POST /rest/api/3/issue/{new}/comment bob 201 {"body":{"version":1,"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"From the contract test"}]}]}}
POST /rest/api/3/issue/{new}/worklog bob 201 {"timeSpent":"1h","comment":{"version":1,"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"From the contract test"}]}]}}
POST /rest/api/3/issue/{new}/transitions bob 204 {"transition":{"id":"21"}}
POST /rest/api/3/issue/{new}/remotelink bob 201 {"object":{"url":"https://example.com/x","title":"Spec"}}
POST /rest/api/3/issueLink bob 201 {"type":{"name":"Relates"},"inwardIssue":{"key":"WEB-2"},"outwardIssue":{"key":"WEB-3"}}
GET /rest/api/3/issue/{new}?expand=changelog bob 200
POST /rest/api/3/version alice 201 ver=/id {"name":"2.6.0","projectId":10000,"releaseDate":"2027-02-01"}
PUT /rest/api/3/version/{ver} alice 200 {"released":true}
GET /rest/api/3/version/{ver} alice 200
POST /rest/api/3/bulk/issues/move alice 201 task=/taskId {"targetToSourcesMapping":{"MOB,10002":{"inferClassificationDefaults":false,"inferFieldDefaults":true,"inferStatusDefaults":true,"inferSubtaskTypeDefault":true,"issueIdsOrKeys":["WEB-16"]}}}
GET /rest/api/3/bulk/queue/{task} alice 200
"#;

pub const CLOUD_AGILE: &str = r#"
GET /rest/agile/1.0/board alice 200
GET /rest/agile/1.0/board/1 alice 200
GET /rest/agile/1.0/board/1/issue?maxResults=3 alice 200
GET /rest/agile/1.0/board/1/backlog alice 200
GET /rest/agile/1.0/board/1/sprint alice 200
GET /rest/agile/1.0/board/1/epic alice 200
GET /rest/agile/1.0/board/1/version alice 200
GET /rest/agile/1.0/sprint/2 alice 200
GET /rest/agile/1.0/sprint/2/issue?fields=summary,status alice 200
GET /rest/agile/1.0/epic/WEB-1 alice 200
GET /rest/agile/1.0/epic/WEB-1/issue alice 200
POST /rest/agile/1.0/sprint alice 201 {"name":"WEB Sprint 17","originBoardId":1,"goal":"Contract"}
POST /rest/agile/1.0/sprint/3 alice 200 {"goal":"Saved cards first"}
POST /rest/agile/1.0/sprint/3/issue alice 204 {"issues":["WEB-16"]}
POST /rest/agile/1.0/backlog/issue alice 204 {"issues":["WEB-16"]}
POST /rest/agile/1.0/epic/WEB-8/issue alice 204 {"issues":["WEB-15"]}
"#;

pub const CLOUD_CONFLUENCE: &str = r#"
GET /wiki/rest/api/content/1003?expand=body.storage,body.view,version,space,ancestors,history,metadata.labels,children.page,restrictions alice 200
GET /wiki/rest/api/content?spaceKey=ENG&title=Coding%20Standards&expand=body.storage,version alice 200
GET /wiki/rest/api/content/1002/child/page?expand=version alice 200
GET /wiki/rest/api/content/1003/child/comment?expand=body.view,version&depth=all alice 200
GET /wiki/rest/api/content/1002/child/attachment alice 200
GET /wiki/rest/api/content/1002/label alice 200
GET /wiki/rest/api/content/1003/version alice 200
GET /wiki/rest/api/content/1003/version?expand=content.body.storage alice 200
GET /wiki/rest/api/content/1003/version/1 alice 200
GET /wiki/rest/api/content/1003/version/1?expand=content.body.storage,content.version alice 200
GET /wiki/rest/api/content/1003/history alice 200
GET /wiki/rest/api/content/1010/restriction/byOperation alice 200
GET /wiki/rest/api/search?cql=text%20~%20%22checkout%22%20AND%20type%20%3D%20page&limit=3 alice 200
GET /wiki/rest/api/search?cql=type%20%3D%20space alice 200
GET /wiki/rest/api/search/user?cql=user.fullname%20~%20%22ali%22 alice 200
GET /wiki/rest/api/space?limit=10 alice 200
GET /wiki/rest/api/space/ENG?expand=description,homepage alice 200
GET /wiki/rest/api/space/ENG/content/page?limit=5 alice 200
GET /wiki/rest/api/user/current alice 200
GET /wiki/rest/api/group/developers/member alice 200
GET /wiki/rest/api/template/page?spaceKey=ENG alice 200
GET /wiki/rest/api/template/786433 alice 200
GET /wiki/rest/api/analytics/content/1002/views alice 200
POST /wiki/rest/api/contentbody/convert/view alice 200 {"value":"<p>Hello</p>","representation":"storage"}
POST /wiki/rest/api/content/1002/permission/check alice 200 {"subject":{"type":"user","identifier":"5d2f9e1a7c3b4a0012e4f6a1"},"operation":"read"}
POST /wiki/rest/api/content bob 200 {"type":"page","title":"Contract page","space":{"key":"ENG"},"body":{"storage":{"value":"<p>hi</p>","representation":"storage"}}}
POST /wiki/rest/api/content bob 200 {"type":"comment","container":{"id":"1004","type":"page"},"body":{"storage":{"value":"<p>Nice</p>","representation":"storage"}}}
PUT /wiki/rest/api/content/1004 bob 200 {"type":"page","title":"Coding Standards","version":{"number":3},"body":{"storage":{"value":"<p>v3</p>","representation":"storage"}}}
POST /wiki/rest/api/content/1004/label bob 200 [{"prefix":"global","name":"contract"}]
POST /wiki/rest/api/content/1007/copy alice 200 {"destination":{"type":"parent_page","value":"1002"},"pageTitle":"ADR-008 (copy)"}
PUT /wiki/rest/api/content/1007/move/append/1001 alice 200
"#;

pub const CLOUD_CONFLUENCE_V2: &str = r#"
GET /wiki/api/v2/pages/1003?body-format=storage&include-labels=true&include-versions=true alice 200
GET /wiki/api/v2/pages?space-id=32000&limit=3&body-format=storage alice 200
GET /wiki/api/v2/pages/1001/children alice 200
GET /wiki/api/v2/pages/1008/ancestors alice 200
GET /wiki/api/v2/pages/1003/footer-comments?body-format=storage alice 200 comment=/results/0/id
GET /wiki/api/v2/pages/1003/inline-comments?body-format=storage alice 200
GET /wiki/api/v2/footer-comments/{comment}/children alice 200
GET /wiki/api/v2/pages/1003/versions alice 200
GET /wiki/api/v2/blogposts?space-id=32000&body-format=storage alice 200
GET /wiki/api/v2/blogposts/1011?body-format=storage&include-labels=true alice 200
GET /wiki/api/v2/pages/1002/attachments alice 200 att=/results/0/id
GET /wiki/api/v2/attachments/{att} alice 200
GET /wiki/api/v2/pages/1002/labels alice 200
GET /wiki/api/v2/spaces alice 200
GET /wiki/api/v2/spaces/32000 alice 200
GET /wiki/api/v2/spaces/32000/pages?depth=root alice 200
GET /wiki/api/v2/spaces/32000/permissions alice 200
POST /wiki/api/v2/users-bulk alice 200 {"accountIds":["5b10ac8d82e05b22cc7d4ef5"]}
POST /wiki/api/v2/pages bob 200 {"spaceId":"32000","status":"current","title":"Contract v2","parentId":"1002","body":{"representation":"storage","value":"<p>v2</p>"}}
PUT /wiki/api/v2/pages/1005 bob 200 {"id":"1005","status":"current","title":"Onboarding Checklist","version":{"number":2},"body":{"representation":"storage","value":"<p>v2</p>"}}
POST /wiki/api/v2/footer-comments bob 201 {"pageId":"1002","body":{"representation":"storage","value":"<p>Footer</p>"}}
POST /wiki/api/v2/inline-comments bob 201 {"pageId":"1002","body":{"representation":"storage","value":"<p>Inline</p>"},"inlineCommentProperties":{"textSelection":"new service","textSelectionMatchCount":1,"textSelectionMatchIndex":0}}
"#;

pub const SERVER: &str = r#"
GET /rest/api/2/issue/WEB-2 alice 200
GET /rest/api/2/issue/WEB-4?expand=names,schema,changelog,transitions alice 200
GET /rest/api/2/issue/WEB-2/comment alice 200
GET /rest/api/2/issue/WEB-4/transitions alice 200
GET /rest/api/2/issue/WEB-2/worklog alice 200
GET /rest/api/2/issue/WEB-2/watchers alice 200
GET /rest/api/2/issue/WEB-19/remotelink alice 200
GET /rest/api/2/search?jql=project%3DWEB&maxResults=5 alice 200
POST /rest/api/2/search alice 200 {"jql":"project = OPS","fields":["*all"],"expand":["names"],"maxResults":3}
GET /rest/api/2/field alice 200
GET /rest/api/2/myself alice 200
GET /rest/api/2/serverInfo alice 200
GET /rest/api/2/project alice 200
GET /rest/api/2/project/WEB alice 200
GET /rest/api/2/project/WEB/versions alice 200
GET /rest/api/2/project/WEB/components alice 200
GET /rest/api/2/issue/createmeta/WEB/issuetypes alice 200
GET /rest/api/2/issue/createmeta/WEB/issuetypes/10003 alice 200
GET /rest/api/2/user?username=bob alice 200
GET /rest/api/2/user/search?username=a alice 200
GET /rest/api/2/user/assignable/search?project=WEB alice 200
GET /rest/api/2/issueLinkType alice 200
GET /rest/api/2/issueLink/10110 alice 200
GET /rest/api/2/priority alice 200
GET /rest/api/2/status alice 200
GET /rest/agile/1.0/board alice 200
GET /rest/agile/1.0/board/1/sprint alice 200
GET /rest/agile/1.0/board/1/issue?maxResults=2 alice 200
GET /rest/agile/1.0/sprint/2/issue alice 200
GET /rest/agile/1.0/epic/WEB-1/issue alice 200
POST /rest/api/2/issue bob 201 new=/key {"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Task"},"summary":"Contract","description":"h2. Hi","customfield_10100":"OPS-1"}}
PUT /rest/api/2/issue/{new} bob 204 {"fields":{"summary":"Contract (edited)"}}
POST /rest/api/2/issue/{new}/comment bob 201 {"body":"A *wiki* comment for [~alice]"}
POST /rest/api/2/issue/{new}/worklog bob 201 {"timeSpent":"2h","comment":"Setup"}
POST /rest/api/2/issue/{new}/transitions bob 204 {"transition":{"id":"21"}}
POST /rest/api/2/version alice 201 {"name":"Q1 hardening","project":"OPS"}
GET /rest/api/content/1003?expand=body.storage,version,space,ancestors,history alice 200
GET /rest/api/content?spaceKey=ENG&title=Coding%20Standards&expand=body.storage,version alice 200
GET /rest/api/content/search?cql=space%3DOPS%20AND%20type%3Dpage&limit=3 alice 200
GET /rest/api/search?cql=text%20~%20%22runbook%22 alice 200
GET /rest/api/content/1002/child/page alice 200
GET /rest/api/content/1003/child/comment?depth=all&expand=body.view alice 200
GET /rest/api/content/1002/child/attachment alice 200
GET /rest/api/content/1002/label alice 200
GET /rest/api/content/1010/restriction/byOperation alice 200
GET /rest/api/content/1003/history alice 200
GET /rest/api/space alice 200
GET /rest/api/space/ENG alice 200
GET /rest/api/user/current alice 200
GET /rest/api/group/developers/member alice 200
POST /rest/api/content bob 200 {"type":"page","title":"Contract page","space":{"key":"ENG"},"body":{"storage":{"value":"<p>hi</p>","representation":"storage"}}}
PUT /rest/api/content/1004 bob 200 {"type":"page","title":"Coding Standards","version":{"number":3},"body":{"storage":{"value":"<p>v3</p>","representation":"storage"}}}
POST /rest/api/content/1004/label bob 200 [{"prefix":"global","name":"contract"}]
"#;
