//! Reading a bundle without holding it: first its outline (one pass that checks the JSON,
//! reads `format` and `version`, and notes where each collection's array starts and how many
//! records it holds, skipping the records themselves), then one pass per collection, parents
//! first, from where its array starts, handing its records on in chunks of [`BATCH`]. So the
//! order of the collections in the file does not matter, and memory holds one chunk (and the
//! channel's few), never the bundle.

use super::batch::BATCH;
use super::format::COLLECTIONS;
use super::source::Source;
use crate::error::{ApiError, FieldError};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;
use std::io::{BufRead, Read};
use std::rc::Rc;
use tokio::sync::mpsc;

/// Where one collection's array starts (just after its key) and how many records it holds.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    /// Byte offset in the (decompressed) text, just after the collection's key.
    pub offset: u64,
    /// Its records (an upper bound on the valid ones).
    pub count: u64,
}

/// What the first pass learnt of a bundle.
#[derive(Debug, Default)]
pub struct Outline {
    /// Each collection of [`COLLECTIONS`], in that order: `None` when absent or `null`.
    pub sections: [Option<Section>; COLLECTIONS.len()],
    /// The `format` value, if given.
    pub format: Option<Value>,
    /// The `version` value, if given.
    pub version: Option<Value>,
    /// Problems of the top level: unknown keys, a collection that is not an array.
    pub errors: Vec<FieldError>,
    /// Top-level keys given more than once.
    pub duplicates: Vec<String>,
    /// Whether the document is not a JSON object at all.
    pub not_object: bool,
}

impl Outline {
    /// How many records the bundle holds.
    pub fn records(&self) -> u64 {
        self.sections.iter().flatten().map(|s| s.count).sum()
    }
}

/// One record as read: its index in its collection, its value, and the keys it gives twice
/// (field paths within the record: `title`, `ratings.0.relevance`).
pub struct Record {
    pub index: u64,
    pub value: Value,
    pub duplicates: Vec<String>,
}

/// What the reading pass hands on.
pub enum Event {
    /// Up to [`BATCH`] records of collection `COLLECTIONS[collection]`, and the bytes read
    /// since the last chunk.
    Chunk {
        collection: usize,
        records: Vec<Record>,
        bytes: u64,
    },
    /// The bundle could not be read (an I/O error, or a file changed since its outline).
    Failed(ApiError),
}

/// Reads through to `inner`, counting the bytes read (serde_json reads a byte at a time, so
/// the count is where the parser is) and telling `on_mib` at each MiB.
struct Counting<R> {
    inner: R,
    position: Rc<Cell<u64>>,
    on_mib: Box<dyn FnMut(u64)>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let before = self.position.get();
        let after = before + n as u64;
        self.position.set(after);
        if after >> 20 != before >> 20 {
            (self.on_mib)(after);
        }
        Ok(n)
    }
}

fn io_error(error: std::io::Error) -> ApiError {
    ApiError::internal(format!("cannot read the bundle: {error}"))
}

fn malformed(error: serde_json::Error) -> ApiError {
    if error.is_io() {
        return ApiError::internal(format!("cannot read the bundle: {error}"));
    }
    ApiError::malformed_json(format!("the bundle is not valid JSON: {error}"))
}

/// The first pass: checks the whole text is one JSON document and outlines it. `on_bytes` is
/// told how far it has read, every MiB.
pub fn outline(source: &Source, on_bytes: impl FnMut(u64) + 'static) -> Result<Outline, ApiError> {
    let position = Rc::new(Cell::new(0));
    let reader = Counting {
        inner: source.open_at(0).map_err(io_error)?,
        position: position.clone(),
        on_mib: Box::new(on_bytes),
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let outline = de
        .deserialize_any(TopLevel { position })
        .map_err(malformed)?;
    de.end().map_err(malformed)?;
    Ok(outline)
}

/// Reads the top level of a bundle.
struct TopLevel {
    position: Rc<Cell<u64>>,
}

impl TopLevel {
    fn not_object<E>() -> Result<Outline, E> {
        Ok(Outline {
            not_object: true,
            ..Outline::default()
        })
    }
}

impl<'de> Visitor<'de> for TopLevel {
    type Value = Outline;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a bundle (a JSON object)")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Outline, E> {
        Self::not_object()
    }
    fn visit_i64<E>(self, _: i64) -> Result<Outline, E> {
        Self::not_object()
    }
    fn visit_u64<E>(self, _: u64) -> Result<Outline, E> {
        Self::not_object()
    }
    fn visit_f64<E>(self, _: f64) -> Result<Outline, E> {
        Self::not_object()
    }
    fn visit_str<E>(self, _: &str) -> Result<Outline, E> {
        Self::not_object()
    }
    fn visit_unit<E>(self) -> Result<Outline, E> {
        Self::not_object()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Outline, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Self::not_object()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Outline, A::Error> {
        let mut outline = Outline::default();
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            // Just after the key: the value's start lies past a colon and some white space.
            let offset = self.position.get();
            if !seen.insert(key.clone()) {
                if !outline.duplicates.contains(&key) {
                    outline.duplicates.push(key);
                }
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            match key.as_str() {
                "format" => outline.format = Some(map.next_value()?),
                "version" => outline.version = Some(map.next_value()?),
                name => match COLLECTIONS.iter().position(|c| *c == name) {
                    Some(i) => match map.next_value_seed(Shape)? {
                        Some(Some(count)) => outline.sections[i] = Some(Section { offset, count }),
                        Some(None) => {}
                        None => outline
                            .errors
                            .push(FieldError::new(name, "must be an array of records").under("")),
                    },
                    None => {
                        // Built by hand: a top-level key is one pointer segment, dots and all.
                        let mut error = FieldError::new(
                            key.as_str(),
                            format!(
                                "is not part of a bundle (keys: format, version, {})",
                                COLLECTIONS.join(", ")
                            ),
                        );
                        error.pointer =
                            Some(format!("/{}", key.replace('~', "~0").replace('/', "~1")));
                        outline.errors.push(error);
                        map.next_value::<IgnoredAny>()?;
                    }
                },
            }
        }
        Ok(outline)
    }
}

/// A collection's value, skipped: `Some(Some(n))` an array of `n` items, `Some(None)` null,
/// `None` anything else.
struct Shape;

impl<'de> DeserializeSeed<'de> for Shape {
    type Value = Option<Option<u64>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Shape {
    type Value = Option<Option<u64>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut count = 0;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            count += 1;
        }
        Ok(Some(Some(count)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Some(None))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// The message of a pass stopped because nobody takes its chunks any more.
const STOPPED: &str = "the import stopped taking records";

/// The collection passes (run on a blocking thread): each collection the outline found, in
/// [`COLLECTIONS`] order, read from its offset and sent on in chunks. Ends when all is sent,
/// when the receiver is gone, or after sending [`Event::Failed`].
pub fn produce(source: &Source, outline: &Outline, sender: &mpsc::Sender<Event>) {
    for (collection, section) in outline.sections.iter().enumerate() {
        let Some(section) = section else { continue };
        match read_section(source, collection, *section, sender) {
            Ok(()) => {}
            Err(None) => return,
            Err(Some(error)) => {
                let _ = sender.blocking_send(Event::Failed(error));
                return;
            }
        }
    }
}

/// One collection's pass. `Err(None)`: the receiver is gone.
fn read_section(
    source: &Source,
    collection: usize,
    section: Section,
    sender: &mpsc::Sender<Event>,
) -> Result<(), Option<ApiError>> {
    let mut reader = source
        .open_at(section.offset)
        .map_err(|e| Some(io_error(e)))?;
    // Past the colon (and white space) that separate the key from the array.
    let mut skipped = 0u64;
    loop {
        let buf = reader.fill_buf().map_err(|e| Some(io_error(e)))?;
        let Some(&byte) = buf.first() else { break };
        if !matches!(byte, b':' | b' ' | b'\t' | b'\n' | b'\r') {
            break;
        }
        reader.consume(1);
        skipped += 1;
    }
    let position = Rc::new(Cell::new(skipped));
    let reader = Counting {
        inner: reader,
        position: position.clone(),
        on_mib: Box::new(|_| {}),
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let records = Records {
        collection,
        sender,
        position,
        sent_at: 0,
    };
    match de.deserialize_seq(records) {
        Ok(()) => Ok(()),
        Err(error) if error.to_string().starts_with(STOPPED) => Err(None),
        Err(error) => Err(Some(malformed(error))),
    }
}

/// Reads one collection's array, sending its records on in chunks.
struct Records<'a> {
    collection: usize,
    sender: &'a mpsc::Sender<Event>,
    position: Rc<Cell<u64>>,
    /// The position when the last chunk was sent.
    sent_at: u64,
}

impl Records<'_> {
    fn send<E: serde::de::Error>(&mut self, records: Vec<Record>) -> Result<(), E> {
        let now = self.position.get();
        let event = Event::Chunk {
            collection: self.collection,
            records,
            bytes: now - self.sent_at,
        };
        self.sent_at = now;
        self.sender
            .blocking_send(event)
            .map_err(|_| E::custom(STOPPED))
    }
}

impl<'de> Visitor<'de> for Records<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut chunk = Vec::with_capacity(BATCH);
        let mut index = 0u64;
        loop {
            let mut duplicates = Vec::new();
            let Some(value) = seq.next_element_seed(crate::json_keys::seed("", &mut duplicates))?
            else {
                break;
            };
            chunk.push(Record {
                index,
                value,
                duplicates,
            });
            index += 1;
            if chunk.len() == BATCH {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(BATCH));
                self.send(full)?;
            }
        }
        if !chunk.is_empty() {
            self.send(chunk)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::web::Bytes;
    use std::io::Write;

    /// Every record the passes hand on, as `(collection, index, value)`.
    fn read_all(source: &Source) -> (Outline, Vec<(usize, u64, Value)>) {
        let outline = outline(source, |_| {}).unwrap();
        let (sender, mut receiver) = mpsc::channel(1000);
        produce(source, &outline, &sender);
        drop(sender);
        let mut out = Vec::new();
        while let Some(event) = receiver.blocking_recv() {
            let Event::Chunk {
                collection,
                records,
                ..
            } = event
            else {
                panic!("a pass failed");
            };
            out.extend(records.into_iter().map(|r| (collection, r.index, r.value)));
        }
        (outline, out)
    }

    const TEXT: &str = "{ \"milestones\" \n :\t[{\"a\": 1}, 2] , \"version\":1,\n\
                        \"countries\":[ {\"code\":\"MEX\"} ],\"action_plans\" :null, \
                        \"extra\": {\"x\": [1]}}";

    #[test]
    fn sections_are_read_from_where_they_start_in_collection_order_whatever_the_spacing() {
        let (outline, records) = read_all(&Source::Memory(Bytes::from_static(TEXT.as_bytes())));
        assert_eq!(outline.records(), 3);
        // Collections by name: their indexes move when one is added (local_members did).
        let at = |name: &str| COLLECTIONS.iter().position(|c| *c == name).unwrap();
        assert!(
            outline.sections[at("action_plans")].is_none(),
            "null is an empty collection"
        );
        assert_eq!(outline.errors.len(), 1, "the unknown key");
        assert_eq!(outline.version, Some(Value::from(1)));
        assert_eq!(
            records,
            [
                (at("countries"), 0, serde_json::json!({"code": "MEX"})),
                (at("milestones"), 0, serde_json::json!({"a": 1})),
                (at("milestones"), 1, Value::from(2)),
            ]
        );
    }

    #[test]
    fn a_gzip_file_is_decompressed_again_for_each_pass_and_reads_the_same() {
        let dir = std::env::temp_dir().join(format!("ogp-sections-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bundle.json.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(TEXT.as_bytes()).unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let memory = read_all(&Source::Memory(Bytes::from_static(TEXT.as_bytes()))).1;
        assert_eq!(read_all(&Source::file(&path).unwrap()).1, memory);
        // Spooled (standard input) the same way, and the spool removed with its source.
        let spooled = Source::spool(std::fs::File::open(&path).unwrap(), &dir, |_| {}).unwrap();
        assert_eq!(read_all(&spooled).1, memory);
        let Source::File { path: spool, .. } = &spooled else {
            unreachable!()
        };
        let spool = spool.clone();
        drop(spooled);
        assert!(!spool.exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_document_that_is_not_json_is_malformed_and_one_that_is_not_an_object_is_said_so() {
        let bad = Source::Memory(Bytes::from_static(b"{\"countries\": [1,"));
        let error = outline(&bad, |_| {}).unwrap_err();
        assert_eq!(error.status.as_u16(), 400, "{error}");
        let array = Source::Memory(Bytes::from_static(b"[{\"a\": 1}]"));
        assert!(outline(&array, |_| {}).unwrap().not_object);
    }
}
