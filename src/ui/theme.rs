//! Themes are data: `themes/*.toml` resolved into semantic roles. Views use roles only,
//! never raw colours.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use super::colors::ColorSupport;
use crate::util::file_error::FileError;

/// The built-in default theme (for dark terminals), embedded at build time.
pub const DEFAULT_THEME: &str = include_str!("../../themes/default.toml");

/// The built-in themes, embedded at build time: `--theme NAME`.
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", DEFAULT_THEME),
    ("light", include_str!("../../themes/light.toml")),
    ("solarized-dark", include_str!("../../themes/solarized-dark.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
    ("monochrome", include_str!("../../themes/monochrome.toml")),
];

/// Other names a built-in theme answers to.
const ALIASES: &[(&str, &str)] = &[("dark", "default")];

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    /// A built-in theme whose roles this file starts from.
    extends: Option<toml::Spanned<String>>,
    #[serde(default)]
    roles: BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>>,
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
    /// `extends` is not looked at: see [`Theme::from_user_toml`].
    pub fn from_toml(path: &str, text: &str, base: Theme) -> Result<Theme, FileError> {
        let file = parse_file(path, text)?;
        apply(path, text, file, base)
    }

    /// A user's theme file: its roles over the built-in theme it `extends`, else over the
    /// default theme. Named after the file unless it says `name = ...`.
    pub fn from_user_toml(path: &str, text: &str) -> Result<Theme, FileError> {
        let file = parse_file(path, text)?;
        let base = match &file.extends {
            None => Theme::default(),
            Some(name) => Theme::builtin(name.get_ref()).ok_or_else(|| {
                FileError::at(
                    path,
                    text,
                    name.span().start,
                    format!(
                        "`extends = \"{}\"`: no built-in theme has that name; the themes are: {}",
                        name.get_ref(),
                        Theme::names().join(", ")
                    ),
                )
            })?,
        };
        let named = file.name.is_some();
        let mut theme = apply(path, text, file, base)?;
        if !named {
            theme.name = std::path::Path::new(path)
                .file_stem()
                .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned());
        }
        Ok(theme)
    }

    /// A built-in theme by name (`default`, `dark`, `light`, `solarized-dark`,
    /// `high-contrast`, `monochrome`).
    pub fn builtin(name: &str) -> Option<Theme> {
        let name = name.to_ascii_lowercase();
        let name = name.as_str();
        let name = ALIASES
            .iter()
            .find(|(alias, _)| *alias == name)
            .map_or(name, |(_, n)| *n);
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        let path = format!("themes/{name}.toml");
        Some(Theme::from_toml(&path, text, Theme::blank()).expect("the built-in themes are valid"))
    }

    /// The names of the built-in themes.
    pub fn names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// `--theme NAME|FILE` (and the config file's `theme = "..."`): a built-in theme by
    /// name, or a TOML file by path. Anything with a `/` or ending in `.toml` is a path.
    /// The error names the file, line and column of a problem in it.
    pub fn resolve(name_or_path: &str) -> Result<Theme, FileError> {
        if !is_path(name_or_path) {
            return Theme::builtin(name_or_path).ok_or_else(|| FileError {
                path: name_or_path.to_string(),
                line: 0,
                column: 0,
                message: format!(
                    "no built-in theme has that name; the themes are: {} (or give the path of a TOML file)",
                    Theme::names().join(", ")
                ),
            });
        }
        let text = std::fs::read_to_string(name_or_path).map_err(|e| FileError {
            path: name_or_path.to_string(),
            line: 0,
            column: 0,
            message: format!("cannot read the theme file: {e}"),
        })?;
        Theme::from_user_toml(name_or_path, &text)
    }

    /// As [`Theme::resolve`], for a name written in a file (the config file's `theme`): a
    /// relative path is taken from `dir`, the file's directory, and `~/` is the home.
    pub fn resolve_in(name_or_path: &str, dir: &std::path::Path) -> Result<Theme, FileError> {
        if !is_path(name_or_path) {
            return Theme::resolve(name_or_path);
        }
        let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
        let path = match (name_or_path.strip_prefix("~/"), home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => dir.join(name_or_path),
        };
        Theme::resolve(&path.to_string_lossy())
    }

    /// The theme as the terminal can show it: colours brought down to 256 or 16, or none
    /// at all (`NO_COLOR`), where bold and reversed keep the selection and the badges
    /// visible.
    pub fn for_terminal(mut self, support: ColorSupport) -> Theme {
        if support == ColorSupport::TrueColor {
            return self;
        }
        let mut plain = (support == ColorSupport::NoColor).then(|| Theme::builtin("monochrome").expect("built in"));
        for role in ROLES {
            let slot = self.role_mut(role).expect("every listed role exists");
            let had_background = slot.bg.is_some_and(|c| c != Color::Reset);
            slot.fg = slot.fg.and_then(|c| support.map(c));
            slot.bg = slot.bg.and_then(|c| support.map(c));
            slot.underline_color = slot.underline_color.and_then(|c| support.map(c));
            let Some(plain) = plain.as_mut() else {
                continue;
            };
            if slot.add_modifier.is_empty() && slot.sub_modifier.is_empty() {
                // A role told apart by its colour alone: the monochrome theme's way instead.
                let designed = plain.role_mut(role).expect("every listed role exists");
                slot.add_modifier = designed.add_modifier;
                slot.sub_modifier = designed.sub_modifier;
            }
            if (had_background || *role == "row_selected") && !slot.add_modifier.contains(Modifier::REVERSED) {
                // What stood out by its background stands out reversed.
                slot.add_modifier |= Modifier::REVERSED;
            }
        }
        if plain.is_some() && self.header.add_modifier.contains(Modifier::REVERSED) {
            // Badges sit on the header: on a reversed header they stand out the other way.
            self.badge = self
                .badge
                .remove_modifier(Modifier::REVERSED)
                .add_modifier(Modifier::BOLD);
        }
        self
    }

    /// The style for a tone of a table cell.
    pub fn tone(&self, tone: crate::store::table::Tone) -> Style {
        use crate::store::table::Tone;
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

/// Whether `--theme` names a file rather than a built-in theme.
fn is_path(name_or_path: &str) -> bool {
    name_or_path.contains(std::path::MAIN_SEPARATOR) || name_or_path.contains('/') || name_or_path.ends_with(".toml")
}

fn parse_file(path: &str, text: &str) -> Result<ThemeFile, FileError> {
    toml::from_str(text).map_err(|e| FileError::from_toml(path, text, &e))
}

fn apply(path: &str, text: &str, file: ThemeFile, base: Theme) -> Result<Theme, FileError> {
    let mut theme = base;
    if let Some(name) = file.name {
        theme.name = name;
    }
    for (role, raw) in file.roles {
        let name = role.get_ref().as_str();
        let Some(slot) = theme.role_mut(name) else {
            return Err(FileError::at(
                path,
                text,
                role.span().start,
                format!("unknown role `{name}`; the roles are: {}", ROLES.join(", ")),
            ));
        };
        let span = raw.span();
        *slot = parse_style(raw.get_ref())
            .map_err(|msg| FileError::at(path, text, span.start, format!("{name}: {msg}")))?;
    }
    Ok(theme)
}

/// The style keys a role's table may set, besides `fg` and `bg`.
const MODIFIERS: &[(&str, Modifier)] = &[
    ("bold", Modifier::BOLD),
    ("dim", Modifier::DIM),
    ("italic", Modifier::ITALIC),
    ("underline", Modifier::UNDERLINED),
    ("reversed", Modifier::REVERSED),
];

/// A role's value: a colour (the foreground), or a table of `fg`, `bg` and modifiers.
fn parse_style(value: &toml::Value) -> Result<Style, String> {
    let table = match value {
        toml::Value::String(fg) => return Ok(Style::default().fg(parse_color(fg)?)),
        toml::Value::Table(table) => table,
        other => {
            return Err(format!(
                "a {} is not a style: use a colour (\"green\") or a table ({{ fg = \"green\", bold = true }})",
                other.type_str()
            ));
        }
    };
    let mut style = Style::default();
    for (key, value) in table {
        match (key.as_str(), value) {
            ("fg", toml::Value::String(c)) => style = style.fg(parse_color(c)?),
            ("bg", toml::Value::String(c)) => style = style.bg(parse_color(c)?),
            ("fg" | "bg", other) => return Err(format!("`{key}` is a colour, not a {}", other.type_str())),
            (name, value) => {
                let Some((_, modifier)) = MODIFIERS.iter().find(|(m, _)| *m == name) else {
                    let keys: Vec<&str> = ["fg", "bg"]
                        .into_iter()
                        .chain(MODIFIERS.iter().map(|(m, _)| *m))
                        .collect();
                    return Err(format!(
                        "`{name}` is not a style key; the keys are: {}",
                        keys.join(", ")
                    ));
                };
                match value {
                    toml::Value::Boolean(true) => style = style.add_modifier(*modifier),
                    // Off even where the style lands on one that has it (a badge on the header).
                    toml::Value::Boolean(false) => style = style.remove_modifier(*modifier),
                    other => return Err(format!("`{name}` is true or false, not a {}", other.type_str())),
                }
            }
        }
    }
    Ok(style)
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
    fn every_builtin_theme_sets_every_role() {
        assert!(Theme::names().len() >= 5);
        for name in Theme::names() {
            let theme = Theme::builtin(name).unwrap();
            assert_eq!(theme.name, name);
            let mut t = theme.clone();
            let mut b = Theme::blank();
            let unset: Vec<&str> = ROLES
                .iter()
                .copied()
                .filter(|r| t.role_mut(r) == b.role_mut(r))
                .collect();
            assert!(unset.is_empty(), "{name} leaves unset: {unset:?}");
        }
        assert_eq!(Theme::builtin("dark"), Some(Theme::default()));
        assert_eq!(Theme::builtin("Light").unwrap().name, "light");
        assert_eq!(Theme::builtin("nope"), None);
    }

    #[test]
    fn a_user_theme_extends_a_builtin_one() {
        let text = "extends = \"light\"\n[roles]\nstatus_err = { fg = \"#ff0000\", bold = true }\n";
        let theme = Theme::from_user_toml("/home/me/mine.toml", text).unwrap();
        let light = Theme::builtin("light").unwrap();
        assert_eq!(theme.name, "mine", "named after its file");
        assert_eq!(
            theme.status_err,
            Style::default().fg(Color::Rgb(255, 0, 0)).add_modifier(Modifier::BOLD)
        );
        assert_eq!(theme.status_ok, light.status_ok);
        assert_eq!(theme.row_selected, light.row_selected);
        // Without `extends`: over the default theme.
        let theme = Theme::from_user_toml("mine.toml", "name = \"mine\"\n[roles]\nmuted = \"gray\"\n").unwrap();
        assert_eq!(theme.muted, Style::default().fg(Color::Gray));
        assert_eq!(theme.row_selected, Theme::default().row_selected);
    }

    #[test]
    fn bad_user_themes_say_where_and_what() {
        let err = Theme::from_user_toml("t.toml", "extends = \"pastel\"\n").unwrap_err();
        assert_eq!((err.line, err.column), (1, 11));
        assert!(err.message.contains("`extends = \"pastel\"`"), "{err}");
        assert!(err.message.contains("solarized-dark"), "lists the themes: {err}");

        let err = Theme::from_user_toml("t.toml", "[roles]\ntext = \"green\"\nheadr = \"red\"\n").unwrap_err();
        assert_eq!(err.to_string().split(": ").next(), Some("t.toml:3:1"));
        assert!(err.message.starts_with("unknown role `headr`"), "{err}");

        let err = Theme::from_user_toml("t.toml", "[roles]\nkey = { fg = \"red\", bolt = true }\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 7));
        assert!(err.message.contains("`bolt` is not a style key"), "{err}");

        let err = Theme::from_user_toml("t.toml", "[roles]\nkey = 7\n").unwrap_err();
        assert!(err.message.contains("integer is not a style"), "{err}");

        let err = Theme::from_user_toml("t.toml", "[roles]\nkey = { bold = \"yes\" }\n").unwrap_err();
        assert!(err.message.contains("true or false"), "{err}");

        let err = Theme::from_user_toml("t.toml", "colour = \"red\"\n").unwrap_err();
        assert_eq!((err.line, err.column), (1, 1));
        assert!(err.message.contains("colour"), "{err}");

        let err = Theme::from_user_toml("t.toml", "[roles]\ntext = \"green\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn resolve_takes_a_name_or_a_path() {
        assert_eq!(Theme::resolve("solarized-dark").unwrap().name, "solarized-dark");
        let err = Theme::resolve("pastel").unwrap_err();
        assert!(err.to_string().starts_with("pastel: no built-in theme"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ops.toml");
        std::fs::write(&path, "extends = \"high-contrast\"\n[roles]\nmuted = \"#808080\"\n").unwrap();
        let theme = Theme::resolve(path.to_str().unwrap()).unwrap();
        assert_eq!(theme.name, "ops");
        assert_eq!(theme.muted, Style::default().fg(Color::Rgb(128, 128, 128)));
        assert_eq!(theme.key, Theme::builtin("high-contrast").unwrap().key);

        std::fs::write(&path, "[roles]\n\nmuted = \"#80808\"\n").unwrap();
        let err = Theme::resolve(path.to_str().unwrap()).unwrap_err();
        assert_eq!(err.path, path.to_str().unwrap());
        assert_eq!((err.line, err.column), (3, 9));
        assert!(err.message.contains("#rrggbb"), "{err}");

        // From a config file: relative to its directory.
        std::fs::write(&path, "name = \"ops\"\n").unwrap();
        assert_eq!(Theme::resolve_in("ops.toml", dir.path()).unwrap().name, "ops");
        assert_eq!(Theme::resolve_in("light", dir.path()).unwrap().name, "light");

        let missing = dir.path().join("none.toml");
        let err = Theme::resolve(missing.to_str().unwrap()).unwrap_err();
        assert!(err.message.contains("cannot read"), "{err}");
    }

    #[test]
    fn no_color_keeps_modifiers_and_the_selection_visible() {
        for name in Theme::names() {
            let theme = Theme::builtin(name).unwrap().for_terminal(ColorSupport::NoColor);
            let mut t = theme.clone();
            for role in ROLES {
                let style = *t.role_mut(role).unwrap();
                assert!(
                    style.fg.is_none() && style.bg.is_none(),
                    "{name}.{role} keeps a colour: {style:?}"
                );
            }
            assert!(theme.row_selected.add_modifier.contains(Modifier::REVERSED), "{name}");
            let reversed = |s: Style| s.add_modifier.contains(Modifier::REVERSED);
            assert!(
                reversed(theme.header) != reversed(theme.badge),
                "{name}: a badge on the header must stand out"
            );
        }
        // Roles told apart by colour alone take the monochrome theme's modifiers.
        let theme = Theme::default().for_terminal(ColorSupport::NoColor);
        let mono = Theme::builtin("monochrome").unwrap();
        assert_eq!(theme.status_err.add_modifier, mono.status_err.add_modifier);
        assert!(theme.status_err.add_modifier.contains(Modifier::BOLD));
        assert_eq!(theme.title.add_modifier, Modifier::BOLD, "bold already: kept as it is");
        assert_eq!(theme.status_ok.add_modifier, Modifier::empty());
    }

    #[test]
    fn sixteen_colours_leave_no_rgb() {
        for name in Theme::names() {
            let mut theme = Theme::builtin(name).unwrap().for_terminal(ColorSupport::Ansi16);
            for role in ROLES {
                let style = *theme.role_mut(role).unwrap();
                for color in [style.fg, style.bg].into_iter().flatten() {
                    assert!(
                        !matches!(color, Color::Rgb(..) | Color::Indexed(_)),
                        "{name}.{role}: {color:?}"
                    );
                }
            }
        }
        let solarized = Theme::builtin("solarized-dark")
            .unwrap()
            .for_terminal(ColorSupport::Ansi16);
        assert_eq!(solarized.status_ok.fg, Some(Color::Green));
        assert_eq!(solarized.status_warn.fg, Some(Color::Yellow));
        assert_eq!(solarized.status_err.fg, Some(Color::Red));
        let light = Theme::builtin("light").unwrap().for_terminal(ColorSupport::Ansi256);
        assert!(matches!(light.row_selected.bg, Some(Color::Indexed(31))));
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
