//! Labels in the client's language: `lang=en|es|fr` (anything else is a 400), or else the
//! `Accept-Language` header (q-values honoured; English when nothing supported is asked), adds
//! `<field>_label` (`<field>_labels` for a list) next to every enum value of a resource's GET:
//! items, list pages, NDJSON lines and CSV columns. Such a response says its language in
//! `Content-Language`, lists `Accept-Language` in `Vary` when the header chose it, and carries
//! the language in its ETag (`"3;es"`), since the representation differs per language; the
//! suffix is taken off again before a conditional header reaches the handlers, so an ETag read
//! with labels works in `If-Match` too.
//!
//! Why one middleware rather than a change to every handler and encoder: the labels are a
//! presentation of the same rows, and every resource, list option and export gets them the same
//! way, including the ones added later, once their enum fields are listed in `labels::fields`.

use crate::error::ApiError;
use crate::labels::fields::{collection_of, collection_under, is_list, label_field, vocabulary_of};
use crate::labels::{label_of, Lang};
use actix_web::body::{to_bytes, BodyStream, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    self, HeaderMap, HeaderValue, ACCEPT_LANGUAGE, CONTENT_LANGUAGE, CONTENT_TYPE,
};
use actix_web::http::{Method, StatusCode, Uri};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::Error;
use futures_util::StreamExt;
use serde_json::Value;

/// How a request asks for labels.
struct Choice {
    lang: Lang,
    /// `lang=` chose it (else `Accept-Language` did).
    explicit: bool,
}

/// Reads `lang=` (removing it from the query, so the handlers, which refuse unknown parameters,
/// never see it) and else `Accept-Language`. `None`: neither is given.
fn choose(req: &mut ServiceRequest) -> Result<Option<Choice>, ApiError> {
    let query = req.query_string();
    if query
        .split('&')
        .any(|pair| pair == "lang" || pair.starts_with("lang="))
    {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|e| ApiError::invalid_query(format!("the query string is malformed: {e}")))?;
        let (langs, rest): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(k, _)| k == "lang");
        if langs.len() > 1 {
            return Err(ApiError::invalid_query("`lang` is given more than once"));
        }
        let lang = Lang::parse_param(&langs[0].1).map_err(ApiError::invalid_query)?;
        let query = serde_urlencoded::to_string(&rest).unwrap_or_default();
        let target = if query.is_empty() {
            req.path().to_string()
        } else {
            format!("{}?{query}", req.path())
        };
        let uri: Uri = target
            .parse()
            .map_err(|_| ApiError::invalid_query("the request target is malformed"))?;
        req.match_info_mut().get_mut().update(&uri);
        req.head_mut().uri = uri;
        return Ok(Some(Choice {
            lang,
            explicit: true,
        }));
    }
    Ok(req
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(|header| Choice {
            lang: Lang::negotiate(header),
            explicit: false,
        }))
}

/// `tag` with the language inside its quotes: `"3"` → `"3;es"`, `W/"ab"` → `W/"ab;es"`.
fn tag_with(tag: &str, lang: Lang) -> String {
    match tag.strip_suffix('"') {
        Some(open) => format!("{open};{}\"", lang.code()),
        None => tag.to_string(),
    }
}

/// The tags of a conditional header as the handlers know them. For a labelled read only the
/// tags of its language count (without their suffix); for an unlabelled `read` only the tags
/// without one (a labelled tag names another representation, whose 304 would be wrong); for a
/// write any suffix goes.
fn untag(value: &str, lang: Option<Lang>, read: bool) -> String {
    value
        .split(',')
        .map(str::trim)
        .filter_map(|tag| {
            let Some(open) = tag.strip_suffix('"') else {
                return Some(tag.to_string());
            };
            match (open.rsplit_once(';'), lang) {
                (Some((base, code)), Some(lang)) if code == lang.code() => {
                    Some(format!("{base}\""))
                }
                (Some(_), Some(_)) | (None, Some(_)) if tag != "*" => None,
                (Some(_), None) if read => None,
                (Some((base, _)), None) => Some(format!("{base}\"")),
                _ => Some(tag.to_string()),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn rewrite_conditionals(headers: &mut HeaderMap, lang: Option<Lang>, read: bool) {
    for name in [header::IF_MATCH, header::IF_NONE_MATCH] {
        let Some(value) = headers.get(&name).and_then(|v| v.to_str().ok()) else {
            continue;
        };
        let rewritten = untag(value, lang, read);
        match HeaderValue::from_str(&rewritten) {
            Ok(value) if !rewritten.is_empty() => {
                headers.insert(name, value);
            }
            _ => {
                headers.remove(name);
            }
        }
    }
}

/// Adds the labels to a JSON value whose objects are items of `collection`, and to the items
/// nested in them under a collection's key (`action_plans`, `country`, …).
pub fn label_json(value: &mut Value, collection: Option<&'static str>, lang: Lang) {
    match value {
        Value::Array(items) => {
            for item in items {
                label_json(item, collection, lang);
            }
        }
        Value::Object(map) => {
            for (key, mut field) in std::mem::take(map) {
                let vocabulary = collection.and_then(|c| vocabulary_of(c, &key));
                let label = vocabulary.map(|vocabulary| {
                    let list = collection.is_some_and(|c| is_list(c, &key));
                    let label = |v: &Value| match v.as_str() {
                        Some(text) => {
                            label_of(vocabulary, text, lang).map_or(Value::Null, Value::from)
                        }
                        None => Value::Null,
                    };
                    let labelled = match &field {
                        Value::Array(values) => Value::Array(values.iter().map(label).collect()),
                        other => label(other),
                    };
                    (label_field(&key, list), labelled)
                });
                if label.is_none() && (field.is_object() || field.is_array()) {
                    let inner = if key == "items" {
                        collection
                    } else {
                        collection_under(&key)
                    };
                    label_json(&mut field, inner, lang);
                }
                map.insert(key, field);
                if let Some((name, labelled)) = label {
                    map.insert(name, labelled);
                }
            }
        }
        _ => {}
    }
}

/// The shape of a streamed export.
enum Stream {
    Ndjson,
    Csv {
        /// Per column: its vocabulary, once the header is read.
        columns: Option<Vec<Option<&'static str>>>,
        /// Where the scan for the end of a record stopped, and whether it is inside quotes.
        scanned: usize,
        quoted: bool,
    },
}

/// Rewrites a streamed export record by record (an NDJSON line, a CSV record), keeping the
/// unfinished end of each chunk for the next.
struct Records {
    stream: Stream,
    collection: &'static str,
    lang: Lang,
    buffer: Vec<u8>,
}

impl Records {
    fn push(&mut self, chunk: &[u8]) -> Bytes {
        self.buffer.extend_from_slice(chunk);
        let mut out = Vec::new();
        while let Some(end) = self.record_end() {
            let record: Vec<u8> = self.buffer.drain(..=end).collect();
            self.rewrite(&record, &mut out);
        }
        Bytes::from(out)
    }

    fn finish(&mut self) -> Bytes {
        let record = std::mem::take(&mut self.buffer);
        let mut out = Vec::new();
        if !record.is_empty() {
            self.rewrite(&record, &mut out);
        }
        Bytes::from(out)
    }

    /// The index of the `\n` ending the first whole record in the buffer.
    fn record_end(&mut self) -> Option<usize> {
        match &mut self.stream {
            Stream::Ndjson => self.buffer.iter().position(|b| *b == b'\n'),
            Stream::Csv {
                scanned, quoted, ..
            } => {
                while *scanned < self.buffer.len() {
                    let byte = self.buffer[*scanned];
                    *scanned += 1;
                    if byte == b'"' {
                        *quoted = !*quoted;
                    } else if byte == b'\n' && !*quoted {
                        let end = *scanned - 1;
                        *scanned = 0;
                        return Some(end);
                    }
                }
                None
            }
        }
    }

    fn rewrite(&mut self, record: &[u8], out: &mut Vec<u8>) {
        match &mut self.stream {
            Stream::Ndjson => match serde_json::from_slice::<Value>(record) {
                Ok(mut value) => {
                    label_json(&mut value, Some(self.collection), self.lang);
                    serde_json::to_writer(&mut *out, &value).unwrap_or_default();
                    out.push(b'\n');
                }
                // Not a JSON line (nothing the API writes): passed on as it is.
                Err(_) => out.extend_from_slice(record),
            },
            Stream::Csv { columns, .. } => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(record);
                let Some(Ok(cells)) = reader.records().next() else {
                    out.extend_from_slice(record);
                    return;
                };
                let mut writer = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(Vec::new());
                let row: Vec<String> = match columns {
                    None => {
                        let (header, found) = csv_header(&cells, self.collection);
                        *columns = Some(found);
                        header
                    }
                    Some(columns) => csv_row(&cells, columns, self.lang),
                };
                // `flush` moves the writer's buffer into its `Vec` (an in-memory write).
                match writer.write_record(&row).and_then(|()| Ok(writer.flush()?)) {
                    Ok(()) => out.extend_from_slice(writer.get_ref()),
                    Err(_) => out.extend_from_slice(record),
                }
            }
        }
    }
}

/// The header with a `<column>_label(s)` column after each enum column (`action_plan.status`
/// is the embedded plan's), and each column's vocabulary.
fn csv_header(
    cells: &csv::StringRecord,
    collection: &'static str,
) -> (Vec<String>, Vec<Option<&'static str>>) {
    let mut header = Vec::new();
    let mut vocabularies = Vec::new();
    for column in cells {
        let (owner, field) = match column.rsplit_once('.') {
            Some((prefix, field)) => (
                collection_under(prefix.rsplit('.').next().unwrap_or(prefix)),
                field,
            ),
            None => (Some(collection), column),
        };
        let vocabulary = owner.and_then(|c| vocabulary_of(c, field));
        header.push(column.to_string());
        if vocabulary.is_some() {
            let list = owner.is_some_and(|c| is_list(c, field));
            header.push(label_field(column, list));
        }
        vocabularies.push(vocabulary);
    }
    (header, vocabularies)
}

/// A CSV row with the label of each enum cell after it (a list's values are `;`-joined, and so
/// are their labels).
fn csv_row(cells: &csv::StringRecord, columns: &[Option<&'static str>], lang: Lang) -> Vec<String> {
    let mut row = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        row.push(cell.to_string());
        if let Some(Some(vocabulary)) = columns.get(i) {
            let labels: Vec<&str> = cell
                .split(';')
                .filter(|v| !v.is_empty())
                .map(|v| label_of(vocabulary, v, lang).unwrap_or_default())
                .collect();
            row.push(labels.join(";"));
        }
    }
    row
}

/// Adds `field` to `Vary`, as one header value: the CORS middleware around this one reads only
/// the first `Vary` value and replaces them all with it and its own, so a second value would be
/// lost on the way out.
fn add_vary(headers: &mut HeaderMap, field: &'static str) {
    let fields: Vec<&str> = headers
        .get_all(header::VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    if fields
        .iter()
        .any(|f| f.eq_ignore_ascii_case(field) || *f == "*")
    {
        return;
    }
    let merged = fields
        .into_iter()
        .chain([field])
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(value) = HeaderValue::from_str(&merged) {
        headers.insert(header::VARY, value);
    }
}

/// The middleware (see the module documentation).
pub async fn localize(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    let collection = collection_of(req.path()).filter(|_| read);
    let choice = match collection.map(|_| choose(&mut req)) {
        Some(Ok(choice)) => choice,
        Some(Err(error)) => return Ok(req.error_response(error)),
        None => None,
    };
    rewrite_conditionals(
        req.headers_mut(),
        choice.as_ref().map(|c| c.lang),
        collection.is_some(),
    );
    let explicit = choice.as_ref().is_some_and(|c| c.explicit);
    let res = next.call(req).await?.map_into_boxed_body();
    let (Some(collection), Some(choice)) = (collection, choice) else {
        let mut res = res;
        if collection.is_some() {
            // Unlabelled, and so in English: said, and marked as depending on the header.
            let headers = res.headers_mut();
            headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static("en"));
            add_vary(headers, "accept-language");
        }
        return Ok(res);
    };
    let lang = choice.lang;
    let (req, mut res) = res.into_parts();
    let headers = res.headers_mut();
    headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static(lang.code()));
    if !explicit {
        add_vary(headers, "accept-language");
    }
    if let Some(tag) = headers.get(header::ETAG).and_then(|v| v.to_str().ok()) {
        if let Ok(value) = HeaderValue::from_str(&tag_with(tag, lang)) {
            headers.insert(header::ETAG, value);
        }
    }
    if explicit {
        // The next page keeps the language.
        let link = headers.get(header::LINK).and_then(|v| v.to_str().ok());
        if let Some(value) = link.and_then(|link| {
            HeaderValue::from_str(&link.replacen(">;", &format!("&lang={}>;", lang.code()), 1)).ok()
        }) {
            headers.insert(header::LINK, value);
        }
    }
    if res.status() != StatusCode::OK {
        return Ok(ServiceResponse::new(req, res));
    }
    let content_type = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let stream = if content_type.starts_with("application/json") {
        let (res, body) = res.into_parts();
        let bytes = to_bytes(body)
            .await
            .map_err(|_| ApiError::internal("the response body could not be read"))?;
        let body = match serde_json::from_slice::<Value>(&bytes) {
            Ok(mut value) => {
                label_json(&mut value, Some(collection), lang);
                Bytes::from(serde_json::to_vec(&value).unwrap_or_default())
            }
            Err(_) => bytes,
        };
        let mut res = res.set_body(BoxBody::new(body));
        res.headers_mut().remove(header::CONTENT_LENGTH);
        return Ok(ServiceResponse::new(req, res));
    } else if content_type.starts_with("application/x-ndjson") {
        Stream::Ndjson
    } else if content_type.starts_with("text/csv") {
        Stream::Csv {
            columns: None,
            scanned: 0,
            quoted: false,
        }
    } else {
        return Ok(ServiceResponse::new(req, res));
    };
    let records = Records {
        stream,
        collection,
        lang,
        buffer: Vec::new(),
    };
    let (res, body) = res.into_parts();
    let mut res = res.set_body(BoxBody::new(BodyStream::new(relabel(body, records))));
    res.headers_mut().remove(header::CONTENT_LENGTH);
    Ok(ServiceResponse::new(req, res))
}

type BoxError = Box<dyn std::error::Error>;

/// The body's chunks, rewritten record by record.
fn relabel(
    mut body: BoxBody,
    records: Records,
) -> impl futures_util::Stream<Item = Result<Bytes, BoxError>> {
    let chunks =
        futures_util::stream::poll_fn(move |cx| std::pin::Pin::new(&mut body).poll_next(cx));
    futures_util::stream::unfold(
        (Box::pin(chunks), records, false),
        |(mut chunks, mut records, done)| async move {
            if done {
                return None;
            }
            loop {
                match chunks.next().await {
                    Some(Ok(chunk)) => {
                        let out = records.push(&chunk);
                        if !out.is_empty() {
                            return Some((Ok(out), (chunks, records, false)));
                        }
                    }
                    Some(Err(error)) => return Some((Err(error), (chunks, records, true))),
                    None => {
                        let out = records.finish();
                        return Some((Ok(out), (chunks, records, true)));
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_collection() {
        assert_eq!(collection_of("/api/v1/countries"), Some("countries"));
        assert_eq!(collection_of("/api/v1/countries/MEX"), Some("countries"));
        assert_eq!(
            collection_of("/api/v1/countries/MEX/action-plans"),
            Some("action_plans")
        );
        assert_eq!(collection_of("/api/v1/action-plans/3/irm-summary"), None);
        assert_eq!(collection_of("/api/v1/vocabularies"), None);
        assert_eq!(collection_of("/healthz"), None);
    }

    #[test]
    fn etags_carry_the_language_and_lose_it_again() {
        assert_eq!(tag_with("\"3\"", Lang::Es), "\"3;es\"");
        assert_eq!(tag_with("W/\"ab\"", Lang::Fr), "W/\"ab;fr\"");
        assert_eq!(untag("\"3;es\"", Some(Lang::Es), true), "\"3\"");
        assert_eq!(untag("\"3;fr\", \"3\"", Some(Lang::Es), true), "");
        assert_eq!(untag("\"3;fr\"", None, false), "\"3\"");
        assert_eq!(untag("*", Some(Lang::Es), true), "*");
        // An unlabelled read: only unlabelled tags name its representation.
        assert_eq!(untag("W/\"d3;es\", W/\"d3\"", None, true), "W/\"d3\"");
        assert_eq!(untag("*", None, true), "*");
    }

    #[test]
    fn csv_records_may_hold_newlines_in_quotes() {
        let mut records = Records {
            stream: Stream::Csv {
                columns: None,
                scanned: 0,
                quoted: false,
            },
            collection: "milestones",
            lang: Lang::Es,
            buffer: Vec::new(),
        };
        let mut out = records.push(b"id,status,title\r\n1,not_started,\"a\r\n");
        out = [out, records.push(b"b\"\r\n2,completed,c")].concat().into();
        out = [out, records.finish()].concat().into();
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            "id,status,status_label,title\r\n1,not_started,No iniciado,\"a\r\nb\"\r\n\
             2,completed,Completado,c\r\n"
        );
    }
}
