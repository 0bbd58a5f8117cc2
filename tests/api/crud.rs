//! The create / read / update / delete behaviour every resource shares, written once over a
//! table of the resources. What is particular to one resource (its validation, uniqueness,
//! aliases) stays in that resource's own file.

use crate::fixtures::{a_commitment, a_plan, assessment, commitment, country, id_of, milestone};
use crate::fixtures::{assert_fields, local_member, plan, with};
use crate::helpers::{spawn_app, Case, TestApp};
use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::{json, Value};

/// The six resources, each a row of the tables below.
#[derive(Clone, Copy, Debug)]
enum Resource {
    Country,
    LocalMember,
    ActionPlan,
    Commitment,
    Milestone,
    IrmFinding,
}

use Resource::*;

const RESOURCES: [Resource; 6] = [
    Country,
    LocalMember,
    ActionPlan,
    Commitment,
    Milestone,
    IrmFinding,
];

/// The resources something else hangs from.
const PARENTS: [Resource; 4] = [Country, LocalMember, ActionPlan, Commitment];

impl Resource {
    fn collection(self) -> &'static str {
        match self {
            Country => "/api/v1/countries",
            LocalMember => "/api/v1/local-members",
            ActionPlan => "/api/v1/action-plans",
            Commitment => "/api/v1/commitments",
            Milestone => "/api/v1/milestones",
            IrmFinding => "/api/v1/irm-findings",
        }
    }

    /// Creates the parents a valid body needs and returns the body.
    async fn valid_body(self, app: &TestApp) -> Value {
        match self {
            Country => country("KEN"),
            LocalMember => {
                app.create("/api/v1/countries", &country("GHA")).await;
                local_member("sekondi-takoradi-ghana", "GHA")
            }
            ActionPlan => {
                app.create("/api/v1/countries", &country("MEX")).await;
                plan("MEX", 3)
            }
            Commitment => with(
                commitment(a_plan(app).await, 1),
                json!({"reference": "MX0080", "start_date": "2016-09-01", "end_date": "2018-06-30"}),
            ),
            Milestone => milestone(a_commitment(app).await.1, 1),
            IrmFinding => {
                let (plan_id, commitment_id) = a_commitment(app).await;
                with(
                    assessment(plan_id, commitment_id, "end_of_term_report"),
                    json!({"specificity": "high"}),
                )
            }
        }
    }

    /// What the created resource must carry besides the body's own values: defaults applied,
    /// optional values kept or left null.
    fn created_fields(self) -> Value {
        match self {
            Country => json!({"membership_status": "active"}),
            LocalMember => json!({"membership_status": "active", "population": null}),
            ActionPlan => json!({"status": "implementing", "submitted_on": null,
                                 "local_member_slug": null}),
            Commitment => json!({"ogp_values": ["access_to_information"], "reference": "MX0080"}),
            Milestone => json!({"status": "not_started"}),
            IrmFinding => json!({"specificity": "high", "well_designed": null}),
        }
    }

    /// A merge patch; the fields it must set; fields it must leave as they were.
    fn patch(self) -> (Value, Value, Value) {
        match self {
            Country => (
                json!({"name": "Kenya"}),
                json!({"name": "Kenya"}),
                json!({"region": "americas", "member_since": 2011}),
            ),
            LocalMember => (
                json!({"population": 559548, "member_since": null}),
                json!({"population": 559548, "member_since": null}),
                json!({"kind": "municipality", "country_code": "GHA"}),
            ),
            ActionPlan => (
                json!({"submitted_on": "2016-10-31", "public_influence": "collaborate",
                       "multistakeholder_forum": true,
                       "source_url": "https://www.opengovpartnership.org/"}),
                json!({"submitted_on": "2016-10-31", "public_influence": "collaborate"}),
                json!({"title": "Plan 3"}),
            ),
            Commitment => (
                json!({"ogp_values": ["civic_participation", "public_accountability"], "theme": null}),
                json!({"ogp_values": ["civic_participation", "public_accountability"], "theme": null}),
                json!({"reference": "MX0080"}),
            ),
            Milestone => (
                json!({"status": "completed", "completed_on": "2017-05-01", "due_date": "2017-06-01"}),
                json!({"completed_on": "2017-05-01"}),
                json!({"title": "Milestone 1"}),
            ),
            IrmFinding => (
                json!({"relevance": ["access_to_information"], "potential_impact": "transformative"}),
                json!({"well_designed": true, "well_designed_basis": "derived"}),
                json!({"specificity": "high"}),
            ),
        }
    }

    /// The created resource's address.
    fn path(self, created: &Value) -> String {
        match self {
            Country => format!(
                "{}/{}",
                self.collection(),
                created["code"].as_str().unwrap()
            ),
            LocalMember => format!(
                "{}/{}",
                self.collection(),
                created["slug"].as_str().unwrap()
            ),
            _ => format!("{}/{}", self.collection(), id_of(created)),
        }
    }

    /// Keys that address nothing.
    fn unknown_keys(self) -> &'static [&'static str] {
        match self {
            Country => &["ZZZ"],
            LocalMember => &["no-such-member", "UPPER", "a--b"],
            _ => &["abc", "0", "99999999999999999999"],
        }
    }

    /// Creates a child of `created` (one of `PARENTS`, which then cannot be deleted); returns
    /// the child's address.
    async fn child_of(self, app: &TestApp, created: &Value) -> String {
        let (collection, body) = match self {
            Country => (
                "/api/v1/action-plans",
                plan(created["code"].as_str().unwrap(), 1),
            ),
            LocalMember => (
                "/api/v1/action-plans",
                with(
                    plan(created["country_code"].as_str().unwrap(), 1),
                    json!({"local_member_slug": created["slug"]}),
                ),
            ),
            ActionPlan => ("/api/v1/commitments", commitment(id_of(created), 1)),
            Commitment => ("/api/v1/milestones", milestone(id_of(created), 1)),
            Milestone | IrmFinding => unreachable!("nothing hangs from {self:?}"),
        };
        let child = app.create(collection, &body).await;
        format!("{collection}/{}", id_of(&child))
    }
}

#[actix_web::test]
async fn every_resource_round_trips_create_get_patch_delete() {
    for resource in RESOURCES {
        let _case = Case(format!("{resource:?}"));
        let app = spawn_app().await;
        let body = resource.valid_body(&app).await;

        let created = app.post(resource.collection(), &body).await;
        created.assert_status(201);
        let path = resource.path(&created.body);
        assert_eq!(
            created.header("location"),
            Some(path.as_str()),
            "{resource:?}"
        );
        assert_eq!(created.header("etag"), Some("\"1\""), "{resource:?}");
        assert_eq!(created.body["version"], 1, "{resource:?}");
        let created_at = created.body["created_at"].as_str().unwrap();
        assert!(created_at.ends_with('Z'), "{resource:?}: {created_at}");
        assert_fields(
            &created.body,
            &resource.created_fields(),
            &format!("{resource:?}"),
        );

        let fetched = app.get(&path).await;
        fetched.assert_status(200);
        assert_eq!(fetched.header("etag"), Some("\"1\""), "{resource:?}");
        assert_eq!(fetched.body, created.body, "{resource:?}");
        let current = TestRequest::get()
            .uri(&path)
            .insert_header(("If-None-Match", "\"1\""));
        app.send(current).await.assert_status(304);
        let stale = TestRequest::get()
            .uri(&path)
            .insert_header(("If-None-Match", "\"7\""));
        app.send(stale).await.assert_status(200);

        let (patch, set, kept) = resource.patch();
        let before = app.snapshot().await;
        app.patch_if_match(&path, "\"2\"", "application/merge-patch+json", &patch)
            .await
            .assert_problem(412);
        assert_eq!(app.snapshot().await, before, "{resource:?}: a 412 wrote");
        let patched = app.patch(&path, &patch).await;
        patched.assert_status(200);
        assert_fields(&patched.body, &set, &format!("{resource:?} patched"));
        assert_fields(&patched.body, &kept, &format!("{resource:?} kept"));
        assert_eq!(patched.body["version"], 2, "{resource:?}");
        assert_eq!(patched.header("etag"), Some("\"2\""), "{resource:?}");
        assert_ne!(
            patched.body["updated_at"], patched.body["created_at"],
            "{resource:?}"
        );
        assert_eq!(app.get(&path).await.body, patched.body, "{resource:?}");
        // The current ETag passes, and a plain JSON body is accepted as a merge patch.
        app.patch_if_match(&path, "\"2\"", "application/json", &patch)
            .await
            .assert_status(200);

        app.delete(&path).await.assert_status(204);
        app.get(&path).await.assert_problem(404);
        app.delete(&path).await.assert_problem(404);
        app.patch(&path, &patch).await.assert_problem(404);
    }
}

#[actix_web::test]
async fn unknown_or_malformed_keys_are_404_problems() {
    let app = spawn_app().await;
    for resource in RESOURCES {
        for key in resource.unknown_keys() {
            let path = format!("{}/{key}", resource.collection());
            let _case = Case(path.clone());
            app.get(&path).await.assert_problem(404);
            app.patch(&path, &resource.patch().0)
                .await
                .assert_problem(404);
            app.delete(&path).await.assert_problem(404);
        }
    }
}

#[actix_web::test]
async fn deleting_a_parent_is_a_409_that_deletes_nothing_until_its_children_are_gone() {
    for resource in PARENTS {
        let _case = Case(format!("{resource:?}"));
        let app = spawn_app().await;
        let body = resource.valid_body(&app).await;
        let created = app.create(resource.collection(), &body).await;
        let child = resource.child_of(&app, &created).await;
        let path = resource.path(&created);
        let before = app.snapshot().await;
        app.delete(&path).await.assert_problem(409);
        assert_eq!(app.snapshot().await, before, "{resource:?}: a 409 wrote");
        app.delete(&child).await.assert_status(204);
        app.delete(&path).await.assert_status(204);
    }
}

#[actix_web::test]
async fn wrong_method_on_a_collection_is_a_405_with_allow() {
    let app = spawn_app().await;
    for resource in RESOURCES {
        let _case = Case(format!("{resource:?}"));
        let response = app
            .send(
                TestRequest::default()
                    .method(Method::PUT)
                    .uri(resource.collection()),
            )
            .await;
        response.assert_problem(405);
        assert_eq!(
            response.header("allow"),
            Some("GET, HEAD, POST"),
            "{resource:?}"
        );
    }
}
