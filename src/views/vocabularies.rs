//! `GET /vocabularies` and `/vocabularies/{name}`: every enum of the API, each value with its
//! label in English, Spanish and French, where each wording comes from, and the IRM glossary's
//! definition where there is one. Static per build, so the body and its strong ETag are made
//! once per process.

use super::TAG;
use crate::error::ApiError;
use crate::http::{cache_control, if_none_match_lists};
use crate::labels::{self, Definition, Wording};
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Serialize;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;
use utoipa::ToSchema;

/// A label or definition in one language.
#[derive(Debug, Serialize, ToSchema)]
pub struct WordingBody {
    /// The text.
    #[schema(example = "No Evidence Available")]
    pub text: &'static str,
    /// Where it comes from: `ogp` (written by OGP or its IRM, at `url`), `machine` (only on one
    /// of OGP's machine-translated web pages, at `url`; not checked by OGP) or `project` (the
    /// project's own wording: no OGP wording was found).
    #[schema(value_type = String, pattern = "^(ogp|machine|project)$", example = "ogp")]
    pub source: &'static str,
    /// Where OGP published it (`ogp`, `machine`); `null` for `project`.
    #[schema(example = "https://www.opengovpartnership.org/glossary/completion/")]
    pub url: Option<&'static str>,
}

impl From<Wording> for WordingBody {
    fn from(wording: Wording) -> Self {
        Self {
            text: wording.text,
            source: wording.source.kind(),
            url: wording.source.url(),
        }
    }
}

/// A value's label in each language.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabelSet {
    /// English.
    pub en: WordingBody,
    /// Spanish.
    pub es: WordingBody,
    /// French.
    pub fr: WordingBody,
}

/// A value's definition in each language; `null` where none was published, with `note` saying
/// why.
#[derive(Debug, Serialize, ToSchema)]
pub struct DefinitionSet {
    /// The IRM glossary's English definition (quoted; `…` marks what the quote leaves out).
    pub en: Option<WordingBody>,
    /// Always `null`: no Spanish IRM glossary was found, and the project invents none.
    pub es: Option<WordingBody>,
    /// Always `null`: no French IRM glossary was found, and the project invents none.
    pub fr: Option<WordingBody>,
    /// Why `en` is `null` (what exists instead); `null` when it is given.
    pub note: Option<&'static str>,
}

/// One value of a vocabulary.
#[derive(Debug, Serialize, ToSchema)]
pub struct VocabularyValue {
    /// The wire form, as in requests and responses.
    #[schema(example = "no_evidence")]
    pub value: &'static str,
    /// What the API means by it (English).
    pub description: &'static str,
    /// Its labels.
    pub labels: LabelSet,
    /// Its definitions.
    pub definition: DefinitionSet,
}

/// One enum of the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct VocabularyBody {
    /// Its name in `/vocabularies/{name}` (snake_case).
    #[schema(example = "completion")]
    pub name: String,
    /// The schema in the OpenAPI document that uses it.
    #[schema(example = "Completion")]
    pub schema: &'static str,
    /// Its values, in the order of the scale.
    pub values: Vec<VocabularyValue>,
}

/// Every vocabulary.
#[derive(Debug, Serialize, ToSchema)]
pub struct VocabularyList {
    /// The vocabularies, in the order of the spec.
    pub vocabularies: Vec<VocabularyBody>,
}

fn body_of(vocabulary: &labels::Vocabulary) -> VocabularyBody {
    VocabularyBody {
        name: vocabulary.name(),
        schema: vocabulary.schema,
        values: vocabulary
            .values()
            .into_iter()
            .map(|value| {
                let l = value.labels;
                let (en, note) = match l.definition {
                    Definition::Quoted(wording) => (Some(wording.into()), None),
                    Definition::Missing(note) => (None, Some(note)),
                };
                VocabularyValue {
                    value: value.value,
                    description: value.description,
                    labels: LabelSet {
                        en: l.en.into(),
                        es: l.es.into(),
                        fr: l.fr.into(),
                    },
                    definition: DefinitionSet {
                        en,
                        es: None,
                        fr: None,
                        note,
                    },
                }
            })
            .collect(),
    }
}

/// A serialized body and its strong ETag (the body is the same for the whole build).
struct Rendered {
    body: Vec<u8>,
    etag: String,
}

fn render<T: Serialize>(value: &T) -> Rendered {
    let body = serde_json::to_vec(value).expect("vocabularies serialize");
    let mut hasher = DefaultHasher::new();
    body.hash(&mut hasher);
    let etag = format!("\"v{:016x}\"", hasher.finish());
    Rendered { body, etag }
}

fn respond(req: &HttpRequest, rendered: &Rendered) -> HttpResponse {
    let not_modified = if_none_match_lists(req, &rendered.etag);
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, rendered.etag.clone()))
        .insert_header(cache_control());
    if not_modified {
        return response.finish();
    }
    response
        .content_type("application/json")
        .body(rendered.body.clone())
}

/// This endpoint takes no query parameters: a misspelt one must not pass unnoticed.
fn no_query(req: &HttpRequest) -> Result<(), ApiError> {
    if req.query_string().is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_query(
            "this endpoint takes no query parameters: every language is in the body",
        ))
    }
}

/// Every enum of the API with each value's labels (en, es, fr), their sources and definitions.
///
/// Each label says where its wording comes from: `ogp` with the URL of the OGP or IRM text that
/// uses it, `machine` with the URL of the machine-translated OGP page that has it, or `project`.
/// English definitions are quoted from the IRM glossary; where it defines no such value the
/// definition is `null` and `note` says what exists instead. The body is the same for a whole
/// build: its strong `ETag` makes revalidation free.
#[utoipa::path(
    tag = TAG,
    responses((status = 200, description = "Every vocabulary", body = VocabularyList,
        headers(("ETag" = String, description = "Strong ETag, constant for a build"))),
        (status = 400, description = "A query parameter was given", content_type = "application/problem+json",
            body = crate::error::Problem))
)]
#[get("/vocabularies")]
pub async fn list_vocabularies(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    no_query(&req)?;
    static ALL: OnceLock<Rendered> = OnceLock::new();
    let rendered = ALL.get_or_init(|| {
        render(&VocabularyList {
            vocabularies: labels::vocabularies().iter().map(body_of).collect(),
        })
    });
    Ok(respond(&req, rendered))
}

/// One vocabulary by name (`completion`, `did_it_open_government`, …).
///
/// The same entry as in `/vocabularies`: each value's labels in en, es and fr with their
/// sources, and its definitions. An unknown name is a 404 that lists the names.
#[utoipa::path(
    tag = TAG,
    params(("name" = String, Path, description = "The vocabulary's snake_case name", example = "completion")),
    responses((status = 200, description = "The vocabulary", body = VocabularyBody,
        headers(("ETag" = String, description = "Strong ETag, constant for a build"))),
        (status = 400, description = "A query parameter was given", content_type = "application/problem+json",
            body = crate::error::Problem),
        (status = 404, description = "No vocabulary has this name", content_type = "application/problem+json",
            body = crate::error::Problem))
)]
#[get("/vocabularies/{name}")]
pub async fn get_vocabulary(
    req: HttpRequest,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    no_query(&req)?;
    static EACH: OnceLock<Vec<(String, Rendered)>> = OnceLock::new();
    let each = EACH.get_or_init(|| {
        labels::vocabularies()
            .iter()
            .map(|v| (v.name(), render(&body_of(v))))
            .collect()
    });
    let (_, rendered) = each.iter().find(|(n, _)| *n == *name).ok_or_else(|| {
        ApiError::not_found(format!(
            "no vocabulary is named `{name}`; the names: {}",
            each.iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    Ok(respond(&req, rendered))
}
