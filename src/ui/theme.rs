//! Themes are data: `themes/*.toml` resolved into semantic roles. Views use roles only,
//! never raw colours.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::config::FileError;

/// The built-in default theme, embedded at build time.
pub const DEFAULT_THEME: &str = include_str!("../../themes/default.toml");

/// Every semantic role a view may use.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Style,
    pub muted: Style,
    pub title: Style,
    pub border: Style,
    pub border_focused: Style,
    pub header: Style,
    pub header_accent: Style,
    pub table_header: Style,
    pub sort_indicator: Style,
    pub row_selected: Style,
    pub status_ok: Style,
    pub status_warn: Style,
    pub status_err: Style,
    pub status_info: Style,
    pub key: Style,
    pub input: Style,
    pub badge: Style,
    pub label: Style,
}

macro_rules! roles {
    ($($role:ident),* $(,)?) => {
        /// The role names a theme file may set.
        pub const ROLES: &[&str] = &[$(stringify!($role)),*];

        impl Theme {
            fn role_mut(&mut self, name: &str) -> Option<&mut Style> {
                match name {
                    $(stringify!($role) => Some(&mut self.$role),)*
                    _ => None,
                }
            }
        }
    };
}

roles!(
    text,
    muted,
    title,
    border,
    border_focused,
    header,
    header_accent,
    table_header,
    sort_indicator,
    row_selected,
    status_ok,
    status_warn,
    status_err,
    status_info,
    key,
    input,
    badge,
    label,
);

/// A role as written in a theme file: a colour, or a table of colours and modifiers.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawStyle {
    Fg(String),
    Full {
        fg: Option<String>,
        bg: Option<String>,
        #[serde(default)]
        bold: bool,
        #[serde(default)]
        dim: bool,
        #[serde(default)]
        italic: bool,
        #[serde(default)]
        underline: bool,
        #[serde(default)]
        reversed: bool,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    #[serde(default)]
    roles: BTreeMap<toml::Spanned<String>, toml::Spanned<RawStyle>>,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::from_toml("themes/default.toml", DEFAULT_THEME, Theme::blank())
            .expect("the embedded default theme is valid")
    }
}

impl Theme {
    /// A theme where every role is the terminal's default style.
    fn blank() -> Self {
        let s = Style::default();
        Theme {
            name: String::new(),
            text: s,
            muted: s,
            title: s,
            border: s,
            border_focused: s,
            header: s,
            header_accent: s,
            table_header: s,
            sort_indicator: s,
            row_selected: s,
            status_ok: s,
            status_warn: s,
            status_err: s,
            status_info: s,
            key: s,
            input: s,
            badge: s,
            label: s,
        }
    }

    /// Parse a theme file over `base`: roles the file does not set keep `base`'s style.
    pub fn from_toml(path: &str, text: &str, base: Theme) -> Result<Theme, FileError> {
        let file: ThemeFile = toml::from_str(text).map_err(|e| FileError::from_toml(path, text, &e))?;
        let mut theme = base;
        if let Some(name) = file.name {
            theme.name = name;
        }
        for (role, raw) in file.roles {
            let span = raw.span();
            let style = parse_style(raw.into_inner()).map_err(|msg| FileError::at(path, text, span.start, msg))?;
            let name = role.get_ref().as_str();
            let Some(slot) = theme.role_mut(name) else {
                return Err(FileError::at(
                    path,
                    text,
                    role.span().start,
                    format!("unknown role `{name}`; the roles are: {}", ROLES.join(", ")),
                ));
            };
            *slot = style;
        }
        Ok(theme)
    }

    /// The style for a tone of a table cell.
    pub fn tone(&self, tone: crate::ui::table::Tone) -> Style {
        use crate::ui::table::Tone;
        match tone {
            Tone::Normal => self.text,
            Tone::Muted => self.muted,
            Tone::Ok => self.status_ok,
            Tone::Warn => self.status_warn,
            Tone::Err => self.status_err,
            Tone::Info => self.status_info,
        }
    }
}

fn parse_style(raw: RawStyle) -> Result<Style, String> {
    match raw {
        RawStyle::Fg(fg) => Ok(Style::default().fg(parse_color(&fg)?)),
        RawStyle::Full {
            fg,
            bg,
            bold,
            dim,
            italic,
            underline,
            reversed,
        } => {
            let mut style = Style::default();
            if let Some(fg) = fg {
                style = style.fg(parse_color(&fg)?);
            }
            if let Some(bg) = bg {
                style = style.bg(parse_color(&bg)?);
            }
            for (on, modifier) in [
                (bold, Modifier::BOLD),
                (dim, Modifier::DIM),
                (italic, Modifier::ITALIC),
                (underline, Modifier::UNDERLINED),
                (reversed, Modifier::REVERSED),
            ] {
                if on {
                    style = style.add_modifier(modifier);
                }
            }
            Ok(style)
        }
    }
}

/// A colour by name, `#rrggbb`, or index.
pub fn parse_color(s: &str) -> Result<Color, String> {
    let named = match s.to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
        "reset" | "default" => Some(Color::Reset),
        "black" => Some(Color::Black),
        "red" => Some(Color::Red),
        "green" => Some(Color::Green),
        "yellow" => Some(Color::Yellow),
        "blue" => Some(Color::Blue),
        "magenta" => Some(Color::Magenta),
        "cyan" => Some(Color::Cyan),
        "gray" | "grey" => Some(Color::Gray),
        "darkgray" | "darkgrey" => Some(Color::DarkGray),
        "lightred" => Some(Color::LightRed),
        "lightgreen" => Some(Color::LightGreen),
        "lightyellow" => Some(Color::LightYellow),
        "lightblue" => Some(Color::LightBlue),
        "lightmagenta" => Some(Color::LightMagenta),
        "lightcyan" => Some(Color::LightCyan),
        "white" => Some(Color::White),
        _ => None,
    };
    if let Some(color) = named {
        return Ok(color);
    }
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            let v = u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
            return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
        }
        return Err(format!("`{s}` is not a colour: hex colours are #rrggbb"));
    }
    if let Ok(index) = s.parse::<u8>() {
        return Ok(Color::Indexed(index));
    }
    Err(format!(
        "`{s}` is not a colour: use a name such as `lightred`, `#rrggbb`, or an index 0-255"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_theme_sets_every_role() {
        let blank = Theme::blank();
        let theme = Theme::default();
        assert_eq!(theme.name, "default");
        let mut unset = Vec::new();
        for role in ROLES {
            let mut t = theme.clone();
            let mut b = blank.clone();
            if t.role_mut(role) == b.role_mut(role) && *role != "text" {
                unset.push(*role);
            }
        }
        assert!(unset.is_empty(), "roles the default theme leaves unset: {unset:?}");
    }

    #[test]
    fn a_user_theme_overrides_only_what_it_sets() {
        let theme = Theme::from_toml("mine.toml", "[roles]\nstatus_err = \"#ff0000\"\n", Theme::default()).unwrap();
        assert_eq!(theme.status_err, Style::default().fg(Color::Rgb(255, 0, 0)));
        assert_eq!(theme.status_ok, Theme::default().status_ok);
    }

    #[test]
    fn bad_themes_name_file_line_and_problem() {
        let err = Theme::from_toml("mine.toml", "[roles]\nok = \"green\"\n", Theme::default()).unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(err.to_string().starts_with("mine.toml:2:1: unknown role `ok`"), "{err}");

        let err = Theme::from_toml("mine.toml", "[roles]\ntext = \"#12345\"\n", Theme::default()).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("#rrggbb"), "{err}");

        let err = Theme::from_toml("mine.toml", "[roles\ntext = 1\n", Theme::default()).unwrap_err();
        assert_eq!(err.line, 1);
    }

    #[test]
    fn colours_parse() {
        assert_eq!(parse_color("LightRed"), Ok(Color::LightRed));
        assert_eq!(parse_color("dark-gray"), Ok(Color::DarkGray));
        assert_eq!(parse_color("#0a0B0c"), Ok(Color::Rgb(10, 11, 12)));
        assert_eq!(parse_color("208"), Ok(Color::Indexed(208)));
        assert!(parse_color("mauve").is_err());
        assert!(parse_color("256").is_err());
    }
}
