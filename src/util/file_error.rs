//! A problem in a file the user wrote (a config file, a theme), with where it is: the
//! message names the file, line and column.

use std::fmt;

/// A problem in a file the user wrote, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            // The whole file (it cannot be read, say), not a place in it.
            return write!(f, "{}: {}", self.path, self.message);
        }
        write!(f, "{}:{}:{}: {}", self.path, self.line, self.column, self.message)
    }
}

impl std::error::Error for FileError {}

impl FileError {
    /// An error at byte `offset` of `text`.
    pub fn at(path: &str, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_col(text, offset);
        FileError {
            path: path.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    /// A TOML parse or shape error, located by its span.
    pub fn from_toml(path: &str, text: &str, error: &toml::de::Error) -> Self {
        let offset = error.span().map_or(0, |s| s.start);
        FileError::at(path, text, offset, error.message().trim().to_string())
    }
}

/// 1-based line and column (in chars) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 9), (2, 3));
        assert_eq!(line_col(text, 999), (3, 1));
    }
}
