//! The languages labels come in, chosen by `lang=` or negotiated from `Accept-Language`.

/// A language of the labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English, the default.
    #[default]
    En,
    /// Spanish.
    Es,
    /// French.
    Fr,
}

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Es, Lang::Fr];

    /// The language tag (`en`, `es`, `fr`), also the `Content-Language` value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Fr => "fr",
        }
    }

    /// The `lang=` parameter: exactly `en`, `es` or `fr`.
    pub fn parse_param(value: &str) -> Result<Lang, String> {
        Lang::ALL
            .into_iter()
            .find(|lang| lang.code() == value)
            .ok_or_else(|| format!("`lang` must be one of: en, es, fr (not `{value}`)"))
    }

    /// The best supported language of an `Accept-Language` header (RFC 9110 §12.5.4): the
    /// highest q-value wins, ties go to the earlier range, `q=0` excludes, a range matches by
    /// its primary subtag (`es-MX` is `es`) and `*` means English. Nothing supported: English.
    pub fn negotiate(header: &str) -> Lang {
        let mut best: Option<(u16, Lang)> = None;
        for range in header.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let tag = parts.next().unwrap_or_default().to_ascii_lowercase();
            let quality = parts
                .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                .map_or(Some(1000), parse_quality);
            let Some(quality) = quality.filter(|q| *q > 0) else {
                continue;
            };
            let primary = tag.split('-').next().unwrap_or_default();
            let lang = if primary == "*" {
                Some(Lang::En)
            } else {
                Lang::ALL.into_iter().find(|l| l.code() == primary)
            };
            if let Some(lang) = lang {
                if best.is_none_or(|(q, _)| quality > q) {
                    best = Some((quality, lang));
                }
            }
        }
        best.map_or(Lang::En, |(_, lang)| lang)
    }
}

/// A q-value (`0`, `0.5`, `1.000`) in thousandths; `None` when malformed (the range is then
/// ignored, as a range that cannot be weighed cannot be preferred).
fn parse_quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{fraction:0<3}");
    let thousandths: u16 = digits.parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_honours_q_values() {
        assert_eq!(Lang::negotiate("es"), Lang::Es);
        assert_eq!(Lang::negotiate("fr-CA, es;q=0.9"), Lang::Fr);
        assert_eq!(Lang::negotiate("es;q=0.5, fr;q=0.8"), Lang::Fr);
        assert_eq!(Lang::negotiate("de, es;q=0.1"), Lang::Es);
        assert_eq!(Lang::negotiate("de, pt"), Lang::En);
        assert_eq!(Lang::negotiate("es;q=0, fr;q=0"), Lang::En);
        assert_eq!(Lang::negotiate("*"), Lang::En);
        assert_eq!(Lang::negotiate("es;q=2, fr;q=0.3"), Lang::Fr);
        assert_eq!(Lang::negotiate(""), Lang::En);
    }

    #[test]
    fn the_parameter_is_exact() {
        assert_eq!(Lang::parse_param("fr"), Ok(Lang::Fr));
        assert!(Lang::parse_param("FR").is_err());
        assert!(Lang::parse_param("xx").is_err());
    }
}
