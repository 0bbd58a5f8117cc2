//! Labels of every controlled value (`crate::vocab`) in English, Spanish and French, with the
//! source of each wording, and the IRM glossary's definition where one exists.
//!
//! Every enum of the API implements [`Labelled`] in `data.rs` with an exhaustive `match`, so a
//! value added to an enum without its labels does not compile; [`registry`] lists the enums
//! `GET /vocabularies` serves, and a unit test fails when an enum of `vocab::DESCRIBED` is
//! missing from it. Adding an enum is one line in `registry.rs` plus its `impl Labelled`.

mod data;
pub mod fields;
pub mod lang;
pub mod registry;

pub use lang::Lang;
pub use registry::{find, vocabularies, Vocabulary};

/// Where a wording comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Human-written by OGP or its IRM, published at this URL.
    Ogp(&'static str),
    /// Found only on one of OGP's machine-translated web pages (this URL); not checked by OGP.
    Machine(&'static str),
    /// The project's own wording: no OGP wording was found.
    Project,
}

impl Source {
    /// `ogp`, `machine` or `project`.
    pub fn kind(self) -> &'static str {
        match self {
            Source::Ogp(_) => "ogp",
            Source::Machine(_) => "machine",
            Source::Project => "project",
        }
    }

    /// Where the wording was found, when it was.
    pub fn url(self) -> Option<&'static str> {
        match self {
            Source::Ogp(url) | Source::Machine(url) => Some(url),
            Source::Project => None,
        }
    }
}

/// A wording and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wording {
    /// The text.
    pub text: &'static str,
    /// Its source.
    pub source: Source,
}

/// The English definition of a value, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Definition {
    /// Quoted from OGP's IRM glossary or pages (the source's URL is in the wording).
    Quoted(Wording),
    /// No OGP definition was found; the note says what exists instead.
    Missing(&'static str),
}

/// The labels of one value in the three languages, and its definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueLabels {
    /// English label.
    pub en: Wording,
    /// Spanish label.
    pub es: Wording,
    /// French label.
    pub fr: Wording,
    /// The English definition. Spanish and French definitions are not offered: OGP published
    /// no Spanish or French IRM glossary that could be found, and the project does not invent one.
    pub definition: Definition,
}

impl ValueLabels {
    /// The label in `lang`.
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en.text,
            Lang::Es => self.es.text,
            Lang::Fr => self.fr.text,
        }
    }
}

/// An enum whose every value has labels.
pub trait Labelled: Copy + 'static {
    /// Every value, in the order of its scale.
    fn all() -> &'static [Self];
    /// Its wire form.
    fn wire(self) -> &'static str;
    /// Its labels.
    fn labels(self) -> ValueLabels;
}

/// The label in `lang` of `value` of the vocabulary `vocabulary` (its snake_case name), if both
/// exist.
pub fn label_of(vocabulary: &str, value: &str, lang: Lang) -> Option<&'static str> {
    find(vocabulary)?
        .values()
        .into_iter()
        .find(|v| v.value == value)
        .map(|v| v.labels.label(lang))
}
