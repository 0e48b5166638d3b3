//! What colours the terminal can show, and how a theme's colours come down to them:
//! `NO_COLOR` (none at all), 16 colours, 256 colours, or 24-bit.

use ratatui::style::Color;

/// The colours a terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColorSupport {
    /// `NO_COLOR` is set: modifiers (bold, reversed) only.
    NoColor,
    /// The 16 ANSI colours.
    Ansi16,
    /// The xterm 256-colour palette.
    Ansi256,
    /// 24-bit colour.
    TrueColor,
}

impl ColorSupport {
    /// Decide from the environment: `NO_COLOR` (any non-empty value) wins, then
    /// `COLORTERM=truecolor|24bit`, then a `TERM` that says `256color` (or `direct`).
    pub fn detect(no_color: Option<&str>, colorterm: Option<&str>, term: Option<&str>) -> Self {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return ColorSupport::NoColor;
        }
        let colorterm = colorterm.unwrap_or_default().to_ascii_lowercase();
        let term = term.unwrap_or_default().to_ascii_lowercase();
        if colorterm == "truecolor" || colorterm == "24bit" || term.ends_with("-direct") {
            ColorSupport::TrueColor
        } else if term.contains("256color") {
            ColorSupport::Ansi256
        } else {
            ColorSupport::Ansi16
        }
    }

    /// [`ColorSupport::detect`] on this process's environment.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok();
        ColorSupport::detect(
            var("NO_COLOR").as_deref(),
            var("COLORTERM").as_deref(),
            var("TERM").as_deref(),
        )
    }

    /// A colour as this terminal can show it; `None` when it shows no colour.
    pub fn map(self, color: Color) -> Option<Color> {
        match self {
            ColorSupport::NoColor => None,
            ColorSupport::TrueColor => Some(color),
            ColorSupport::Ansi256 => Some(match color {
                Color::Rgb(r, g, b) => Color::Indexed(nearest_256((r, g, b))),
                other => other,
            }),
            ColorSupport::Ansi16 => Some(match color {
                Color::Rgb(r, g, b) => nearest_16((r, g, b)),
                Color::Indexed(i) if i < 16 => ANSI16[i as usize].0,
                Color::Indexed(i) => nearest_16(indexed_rgb(i)),
                other => other,
            }),
        }
    }
}

/// The 16 ANSI colours with the xterm palette's values, to measure distances against.
const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

/// The levels of each channel in the 6x6x6 colour cube (indices 16-231).
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

fn distance(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2) as u32;
    // Weighted for the eye: green counts most, blue least.
    2 * d(a.0, b.0) + 4 * d(a.1, b.1) + 3 * d(a.2, b.2)
}

/// The nearest of the 16 ANSI colours, by hue rather than by distance: a theme's green
/// must stay green (ok) and never become yellow (a warning), whatever its exact shade.
/// Greys and very dark colours go by lightness to black, dark gray, gray or white.
pub fn nearest_16(rgb: (u8, u8, u8)) -> Color {
    let (r, g, b) = (i32::from(rgb.0), i32::from(rgb.1), i32::from(rgb.2));
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let lightness = (max + min) / 2;
    if max - min < 40 || max < 80 {
        return match lightness {
            0..40 => Color::Black,
            40..128 => Color::DarkGray,
            128..224 => Color::Gray,
            _ => Color::White,
        };
    }
    let span = max - min;
    let hue = if max == r {
        (60 * (g - b) / span).rem_euclid(360)
    } else if max == g {
        60 * (b - r) / span + 120
    } else {
        60 * (r - g) / span + 240
    };
    let bright = max >= 230 || lightness >= 153;
    let (normal, light) = match hue {
        0..30 | 330.. => (Color::Red, Color::LightRed),
        30..65 => (Color::Yellow, Color::LightYellow),
        65..165 => (Color::Green, Color::LightGreen),
        165..200 => (Color::Cyan, Color::LightCyan),
        200..260 => (Color::Blue, Color::LightBlue),
        _ => (Color::Magenta, Color::LightMagenta),
    };
    if bright { light } else { normal }
}

/// The nearest colour of the 256-colour palette's cube and grey ramp (16-255; the first
/// 16 are left out because terminals redefine them).
pub fn nearest_256(rgb: (u8, u8, u8)) -> u8 {
    let level = |v: u8| {
        CUBE.iter()
            .enumerate()
            .min_by_key(|(_, l)| (i32::from(**l) - i32::from(v)).abs())
            .map(|(i, _)| i as u8)
            .expect("the cube has levels")
    };
    let (r, g, b) = (level(rgb.0), level(rgb.1), level(rgb.2));
    let cube = 16 + 36 * r + 6 * g + b;
    let average = (u32::from(rgb.0) + u32::from(rgb.1) + u32::from(rgb.2)) / 3;
    let grey = 232 + ((average.saturating_sub(3)) / 10).min(23) as u8;
    if distance(rgb, indexed_rgb(grey)) < distance(rgb, indexed_rgb(cube)) {
        grey
    } else {
        cube
    }
}

/// The usual value of a 256-colour palette entry.
pub fn indexed_rgb(i: u8) -> (u8, u8, u8) {
    match i {
        0..16 => ANSI16[i as usize].1,
        16..232 => {
            let i = i - 16;
            (
                CUBE[(i / 36) as usize],
                CUBE[(i / 6 % 6) as usize],
                CUBE[(i % 6) as usize],
            )
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            (v, v, v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_decides_the_colours() {
        use ColorSupport::*;
        assert_eq!(
            ColorSupport::detect(Some("1"), Some("truecolor"), Some("xterm-256color")),
            NoColor
        );
        // An empty NO_COLOR is as good as none.
        assert_eq!(ColorSupport::detect(Some(""), Some("truecolor"), None), TrueColor);
        assert_eq!(ColorSupport::detect(None, Some("24bit"), Some("xterm")), TrueColor);
        assert_eq!(ColorSupport::detect(None, None, Some("xterm-direct")), TrueColor);
        assert_eq!(ColorSupport::detect(None, None, Some("tmux-256color")), Ansi256);
        assert_eq!(ColorSupport::detect(None, None, Some("xterm")), Ansi16);
        assert_eq!(ColorSupport::detect(None, None, Some("linux")), Ansi16);
        assert_eq!(ColorSupport::detect(None, None, None), Ansi16);
    }

    #[test]
    fn rgb_comes_down_to_the_nearest_of_16() {
        assert_eq!(nearest_16((0, 0, 0)), Color::Black);
        assert_eq!(nearest_16((0x1c, 0x28, 0x33)), Color::Black, "a dark header background");
        assert_eq!(nearest_16((0xdc, 0x32, 0x2f)), Color::Red, "solarized red");
        assert_eq!(
            nearest_16((0x85, 0x99, 0x00)),
            Color::Green,
            "solarized green stays green"
        );
        assert_eq!(nearest_16((0xb5, 0x89, 0x00)), Color::Yellow, "solarized yellow");
        assert_eq!(nearest_16((0xcb, 0x4b, 0x16)), Color::Red, "orange is nearer red");
        assert_eq!(nearest_16((0x26, 0x8b, 0xd2)), Color::Blue, "solarized blue");
        assert_eq!(nearest_16((0x2a, 0xa1, 0x98)), Color::Cyan, "solarized cyan");
        assert_eq!(nearest_16((0x00, 0x2b, 0x36)), Color::Black, "too dark to be a colour");
        assert_eq!(nearest_16((0xd0, 0xd8, 0xe0)), Color::Gray);
        assert_eq!(nearest_16((0x58, 0x6e, 0x75)), Color::DarkGray);
        assert_eq!(nearest_16((250, 250, 250)), Color::White);
        assert_eq!(nearest_16((255, 80, 80)), Color::LightRed);
        assert_eq!(nearest_16((0xdc, 0x32, 0x2f)), Color::Red);
        assert_eq!(nearest_16((0x00, 0xff, 0x00)), Color::LightGreen);
        let map = |c| ColorSupport::Ansi16.map(c).unwrap();
        assert_eq!(map(Color::Rgb(0, 200, 0)), Color::Green);
        assert_eq!(map(Color::Indexed(9)), Color::LightRed);
        assert_eq!(map(Color::Indexed(196)), Color::LightRed);
        assert_eq!(map(Color::LightCyan), Color::LightCyan, "named colours stay");
        assert_eq!(map(Color::Reset), Color::Reset);
    }

    #[test]
    fn rgb_comes_down_to_the_256_palette() {
        assert_eq!(nearest_256((255, 0, 0)), 196);
        assert_eq!(nearest_256((0, 0x87, 0xaf)), 31);
        assert_eq!(nearest_256((0x80, 0x80, 0x80)), 244, "greys go to the grey ramp");
        assert_eq!(
            ColorSupport::Ansi256.map(Color::Rgb(0, 0x5f, 0x87)),
            Some(Color::Indexed(24))
        );
        assert_eq!(ColorSupport::Ansi256.map(Color::Green), Some(Color::Green));
        assert_eq!(
            ColorSupport::TrueColor.map(Color::Rgb(1, 2, 3)),
            Some(Color::Rgb(1, 2, 3))
        );
        assert_eq!(ColorSupport::NoColor.map(Color::Red), None);
        for i in 16..=255u8 {
            assert_eq!(nearest_256(indexed_rgb(i)), i, "palette entry {i} maps to itself");
        }
    }
}
