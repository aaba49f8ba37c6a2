//! Rules for user-supplied text shared by names, bios and messages.
//!
//! Names (display names, usernames, group names) must contain at least one
//! visible character: a name made only of whitespace, control characters or
//! invisible format characters (zero-width, bidi controls, fillers) counts as
//! empty. Control characters are removed from names. Bios and message text
//! keep new lines; every other C0 control (and DEL) is removed, tabs become
//! spaces and `\r\n` / `\r` become `\n`.

/// Characters that render as nothing: controls, whitespace, format
/// characters (zero-width, bidi, word joiners, BOM) and blank fillers.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || c.is_whitespace()
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
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// Whether `s` has at least one character that is not invisible.
pub fn has_visible(s: &str) -> bool {
    s.chars().any(|c| !is_invisible(c))
}

/// A name without control characters (C0, DEL, C1); other characters are kept
/// (emoji sequences need their zero-width joiners).
pub fn strip_name_controls(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// Text with new lines normalised to `\n`, tabs as spaces, and no other C0
/// control or DEL.
pub fn strip_text_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{7F}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_names_and_clean_text() {
        assert!(!has_visible("\u{200B}\u{202E}\u{0}\u{1B} \u{3164}\u{FEFF}"));
        assert!(has_visible("\u{200B}a"));
        assert!(has_visible("👩\u{200D}💻"));
        assert_eq!(strip_name_controls("a\u{0}b\u{1B}c"), "abc");
        assert_eq!(
            strip_text_controls("a\r\nb\rc\td\u{0}\u{1B}[31m\u{7F}"),
            "a\nb\nc d[31m"
        );
    }
}
