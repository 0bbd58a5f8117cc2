//! What counts as visible text: a name or title made only of spaces, zero-width characters
//! or other invisible code points reads as empty to every person and would be useless in a
//! list, yet passes a plain `trim().is_empty()` check.

/// Whether `c` renders as nothing: whitespace, control characters, and the invisible format
/// characters (zero-width spaces and joiners, direction marks and isolates, word joiner and
/// invisible operators, BOM, soft hyphen, Mongolian vowel separator, combining grapheme joiner,
/// Hangul fillers, variation selectors and tag characters).
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{E0000}'..='\u{E007F}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

/// Whether `text` has at least one character that is not [`is_invisible`].
pub fn has_visible_character(text: &str) -> bool {
    text.chars().any(|c| !is_invisible(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_only_text_is_refused_and_real_text_is_not() {
        for blank in [
            "\u{200B}\u{200B}",
            "\u{FEFF}",
            "\u{00AD} \u{2060}",
            "\u{180E}\u{034F}\u{FE0F}",
            "\u{E0100}\t\u{200D}",
        ] {
            assert!(!has_visible_character(blank), "{blank:?}");
        }
        for text in [
            "Mexico",
            "\u{200B}a",
            "é",
            "日本",
            "🙂\u{FE0F}",
            "-",
            "\u{0301}a",
        ] {
            assert!(has_visible_character(text), "{text:?}");
        }
    }
}
